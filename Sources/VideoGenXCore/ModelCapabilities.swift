/// What a registered model can render, as requests are validated against it: the API, the
/// one-shot CLI and the worker all read the same capabilities (the model registry builds them
/// from each model's config).
public struct ModelCapabilities: Sendable, Hashable, Codable {
    /// The registry name a request's `params.model` gives.
    public var name: String
    /// Resolutions it renders.
    public var resolutions: [Resolution]
    /// Frame rates it renders.
    public var frameRates: [Int]
    /// The most frames one video may have; `nil`: no limit of its own.
    public var maxFrames: Int?

    /// Describes a model.
    public init(name: String, resolutions: [Resolution], frameRates: [Int], maxFrames: Int? = nil) {
        self.name = name
        self.resolutions = resolutions
        self.frameRates = frameRates
        self.maxFrames = maxFrames
    }

    /// The registry name of the built-in procedural model.
    public static let proceduralName = "procedural"

    /// The built-in procedural model: every resolution and frame rate, any length.
    public static let procedural = ModelCapabilities(name: proceduralName, resolutions: Resolution.allCases, frameRates: [24, 30])

    /// The resolution of a request that names none: the platform's default when the model
    /// renders it, else the first the model lists.
    public var defaultResolution: Resolution {
        resolutions.contains(GenerationSpec.Defaults.resolution) ? GenerationSpec.Defaults.resolution : resolutions.first ?? GenerationSpec.Defaults.resolution
    }

    /// The frame rate of a request that names none: the platform's default when the model
    /// renders it, else the first the model lists.
    public var defaultFrameRate: Int {
        frameRates.contains(GenerationSpec.Defaults.fps) ? GenerationSpec.Defaults.fps : frameRates.first ?? GenerationSpec.Defaults.fps
    }

    /// The duration of a request at `fps` that names none: the platform's default, cut to the
    /// model's longest video.
    public func defaultDuration(fps: Int) -> Int {
        let duration = GenerationSpec.Defaults.durationSeconds
        guard let maxFrames, fps > 0, fps * duration > maxFrames else { return duration }
        return max(1, maxFrames / fps)
    }

    /// Why it cannot render `resolution` at `fps` for `frames` frames, by field; empty when it can.
    func issues(resolution: Resolution, fps: Int, frames: Int) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        if !resolutions.contains(resolution) {
            let allowed = resolutions.map(\.rawValue).joined(separator: ", ")
            issues.append(FieldIssue(field: "params.resolution", reason: "the model \(name) renders \(allowed), got \(resolution.rawValue)"))
        }
        if !frameRates.contains(fps) {
            let allowed = frameRates.map(String.init).joined(separator: " or ")
            issues.append(FieldIssue(field: "params.fps", reason: "the model \(name) renders \(allowed) fps, got \(fps)"))
        }
        if let maxFrames, frames > maxFrames {
            issues.append(FieldIssue(
                field: "params.duration", reason: "the model \(name) renders at most \(maxFrames) frames (fps × duration), got \(frames)"
            ))
        }
        return issues
    }
}
