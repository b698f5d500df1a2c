import Foundation
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXScheduler
import VideoGenXServer

/// The renderer `videogenx generate` runs: the same one the worker runs, with the SSRF-guarded
/// fetcher for URLs a request names (no allowlist: a one-shot run fetches public URLs only).
public enum OneShotRenderer {
    /// A renderer for `model`.
    public static func make(model: any VideoModel) -> VideoRenderer {
        VideoRenderer(model: model, encoder: FFmpegEncoder(), fetcher: GuardedAssetFetcher())
    }

    /// A renderer for the registered model `name` (its first precision variant), and the
    /// one-shot limits with every registered model's capabilities.
    /// - Throws: ``ConfigurationError`` for a bad `modelsDirectory` config or a model that is
    ///   unknown or cannot run here (with the reason and what to do).
    public static func make(modelNamed name: String, modelsDirectory: URL, onnx: OnnxSettings = OnnxSettings()) throws -> (VideoRenderer, GenerationLimits) {
        let registry = try ModelRegistry.load(directory: modelsDirectory, availability: ModelBackends.availability(onnx))
        guard let entry = registry.entry(name) else {
            throw ConfigurationError(key: "--model", reason: "must name a registered model (\(registry.names.joined(separator: ", "))), got '\(name)'")
        }
        if let reason = entry.unavailableReason {
            throw ConfigurationError(key: "--model", reason: "\(name) cannot run here: \(reason)")
        }
        var limits = GenerationLimits.oneShot
        limits.models = Dictionary(registry.entries.map { ($0.config.name, $0.config.capabilities) }, uniquingKeysWith: { first, _ in first })
        limits.defaultModel = name
        let model = ModelBackends.make(entry, precision: entry.config.variants.first?.precision ?? "fp32", onnx: onnx)
        return (make(model: model), limits)
    }
}
