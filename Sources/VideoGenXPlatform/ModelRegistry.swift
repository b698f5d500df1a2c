import Foundation
import VideoGenXCore
import VideoGenXInference
import Yams

/// The models this node knows (DESIGN §6): the built-in `procedural` model plus every YAML config
/// in `models.dir`, checked at start-up — a config that does not decode or validate stops
/// start-up with the file, the field and what is wrong. Each entry says whether this node can
/// run it. The composition root turns entries into runnable models (``ModelBackends``).
public struct ModelRegistry: Sendable {
    /// A registered model: its config, where its files are, and whether it can run here.
    public struct Entry: Sendable {
        /// The declaration.
        public var config: ModelConfig
        /// The folder its relative file names are read from (`nil` for the built-in model).
        public var directory: URL?
        /// The config file (`nil` for the built-in model).
        public var file: URL?
        /// Why it cannot run on this node, with what to do; `nil` when it can.
        public var unavailableReason: String?

        /// The absolute path of `relative`, a file name of the config.
        public func path(_ relative: String) -> String {
            guard let directory, !relative.hasPrefix("/") else { return relative }
            return directory.appendingPathComponent(relative).path
        }

        /// As `videogenx models` and the API show it.
        public var listing: RegisteredModel {
            RegisteredModel(
                name: config.name, backend: config.backend, version: config.version, description: config.description,
                variants: config.variants.map(\.precision), maxBatch: config.supports.maxBatch, memoryMBPerTask: config.memoryMBPerTask,
                capabilities: config.capabilities, available: unavailableReason == nil, unavailableReason: unavailableReason
            )
        }
    }

    /// Every model, the built-in one first, then by name.
    public let entries: [Entry]

    /// The entry called `name`.
    public func entry(_ name: String) -> Entry? { entries.first { $0.config.name == name } }

    /// Every model's name, in listing order.
    public var names: [String] { entries.map(\.config.name) }

    /// Every model as the API lists it.
    public var listings: [RegisteredModel] { entries.map(\.listing) }

    /// The built-in procedural model's declaration: every resolution, 24 and 30 fps, any length,
    /// batches of 8, fp32 only; ~64 MiB of sampler windows per task.
    public static let procedural = ModelConfig(
        name: ModelCapabilities.proceduralName, backend: "procedural", version: "builtin",
        description: "built-in analytic reference model: no weights, deterministic, CPU",
        tokenizer: nil, latent: nil, schedule: nil,
        supports: .init(resolutions: Resolution.allCases.map(\.rawValue), fps: [24, 30], maxFrames: nil, maxBatch: 8),
        variants: [.init(precision: "fp32", textEncoder: nil, denoiser: nil, vaeDecoder: nil)], memoryMBPerTask: 64, providers: nil
    )

    /// A registry of `entries` as they are.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Reads every `*.yaml` / `*.yml` file of `directory` (none when it does not exist) beside
    /// the built-in model; `availability` says why a valid model cannot run here (`nil`: it can).
    /// - Throws: ``ConfigurationError`` naming the file, the field and the problem: a file that
    ///   does not parse, a field that is missing or mistyped, a rule a value breaks, a file a
    ///   variant names that does not exist, a name used twice.
    public static func load(directory: URL, availability: (ModelConfig) -> String? = { _ in nil }) throws -> ModelRegistry {
        var entries = [Entry(config: procedural, directory: nil, file: nil, unavailableReason: nil)]
        var seen = [procedural.name: "(built in)"]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for fileName in names.sorted() where fileName.hasSuffix(".yaml") || fileName.hasSuffix(".yml") {
            let file = directory.appendingPathComponent(fileName)
            let config = try decode(file)
            let folder = file.deletingLastPathComponent()
            let issues = config.validate { relative in
                FileManager.default.fileExists(atPath: relative.hasPrefix("/") ? relative : folder.appendingPathComponent(relative).path)
            }
            if let issue = issues.first {
                throw ConfigurationError(key: "models.dir", reason: "\(file.path): \(issue.field): \(issue.reason)")
            }
            if let other = seen[config.name] {
                throw ConfigurationError(key: "models.dir", reason: "\(file.path): name: '\(config.name)' is already declared by \(other)")
            }
            seen[config.name] = file.path
            entries.append(Entry(config: config, directory: folder, file: file, unavailableReason: availability(config)))
        }
        return ModelRegistry(entries: entries)
    }

    /// The config in `file`.
    /// - Throws: ``ConfigurationError`` with the file, the field path and the reason.
    static func decode(_ file: URL) throws -> ModelConfig {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(key: "models.dir", reason: "\(file.path): cannot be read: \(error.localizedDescription)")
        }
        do {
            return try YAMLDecoder().decode(ModelConfig.self, from: text)
        } catch let error as DecodingError {
            throw ConfigurationError(key: "models.dir", reason: "\(file.path): \(Self.describe(error))")
        } catch {
            throw ConfigurationError(key: "models.dir", reason: "\(file.path): not valid YAML: \(error)")
        }
    }

    /// `field: what is wrong` for a decoding error.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined().trimmingPrefix(".").description
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return "\(field): is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): must be \(Self.describe(type))"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): must be \(Self.describe(type)), got nothing"
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty ? "not valid YAML: \(context.debugDescription)" : "\(field): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "a whole number"
        case is Double.Type: "a number"
        case is [String].Type, is [Int].Type, is Array<Any>.Type: "a list"
        default: "a \(String(describing: type).replacingOccurrences(of: "Variant", with: "variant"))"
        }
    }
}

extension ModelRegistry {
    /// Why a model cannot run on this node with `onnx` (`nil`: it can); for ``load(directory:availability:)``.
    public static func availability(_ onnx: OnnxSettings) -> @Sendable (ModelConfig) -> String? {
        ModelBackends.availability(onnx)
    }
}
