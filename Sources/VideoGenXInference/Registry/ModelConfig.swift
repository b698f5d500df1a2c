import VideoGenXCore

/// A model's declaration (a YAML file in `models.dir`): what it is, which files make it, how its
/// latents and noise schedule are laid out, what it renders and the precision variants it ships,
/// in fallback order. Decoded as is; ``validate(fileExists:)`` reports what is wrong by field.
public struct ModelConfig: Sendable, Hashable, Codable {
    /// Registry name (`params.model`): lowercase letters, digits, `-` and `_`.
    public var name: String
    /// The backend that runs it: `procedural` or `onnx`.
    public var backend: String
    /// The model's version, free text (shown by `videogenx models`).
    public var version: String
    /// One line on what it is.
    public var description: String?
    /// Its tokenizer (`onnx` models).
    public var tokenizer: Tokenizer?
    /// Its latent space. Default 4 channels, 8× in space, 4× in time.
    public var latent: Latent?
    /// Its training noise schedule and what the denoiser predicts.
    public var schedule: Schedule?
    /// What it renders.
    public var supports: Supports
    /// Precision variants, preferred first; under memory pressure the next one is loaded.
    public var variants: [Variant]
    /// Device memory one task needs, in MiB.
    public var memoryMBPerTask: Int
    /// Execution providers in order of preference (`tensorrt`, `cuda`, `cpu`); default
    /// `onnx.providers`.
    public var providers: [String]?

    /// A declaration with every field given.
    public init(
        name: String, backend: String, version: String, description: String?, tokenizer: Tokenizer?, latent: Latent?, schedule: Schedule?,
        supports: Supports, variants: [Variant], memoryMBPerTask: Int, providers: [String]?
    ) {
        self.name = name
        self.backend = backend
        self.version = version
        self.description = description
        self.tokenizer = tokenizer
        self.latent = latent
        self.schedule = schedule
        self.supports = supports
        self.variants = variants
        self.memoryMBPerTask = memoryMBPerTask
        self.providers = providers
    }

    /// The tokenizer of the text encoder.
    public struct Tokenizer: Sendable, Hashable, Codable {
        /// `clip_bpe` (the only kind so far).
        public var kind: String
        /// The BPE vocabulary file (CLIP's `bpe_simple_vocab_16e6.txt.gz` layout), relative to the config.
        public var vocabulary: String
        /// Tokens per prompt, start and end included (CLIP: 77).
        public var maxLength: Int

        enum CodingKeys: String, CodingKey {
            case kind, vocabulary
            case maxLength = "max_length"
        }
    }

    /// The latent space the denoiser works in.
    public struct Latent: Sendable, Hashable, Codable {
        /// Channels per latent pixel.
        public var channels: Int
        /// Pixels per latent pixel along each side.
        public var spatialScale: Int
        /// Video frames per latent frame.
        public var temporalScale: Int

        enum CodingKeys: String, CodingKey {
            case channels
            case spatialScale = "spatial_scale"
            case temporalScale = "temporal_scale"
        }
    }

    /// The training schedule (scaled-linear βs) and the denoiser's prediction type.
    public struct Schedule: Sendable, Hashable, Codable {
        /// Training timesteps. Default 1000.
        public var trainingSteps: Int?
        /// β at timestep 0. Default 0.00085.
        public var betaStart: Double?
        /// β at the last timestep. Default 0.012.
        public var betaEnd: Double?
        /// `epsilon` or `v_prediction`.
        public var prediction: String

        enum CodingKeys: String, CodingKey {
            case prediction
            case trainingSteps = "training_steps"
            case betaStart = "beta_start"
            case betaEnd = "beta_end"
        }

        /// The schedule the sampling loop walks.
        public var noiseSchedule: NoiseSchedule {
            NoiseSchedule(trainingSteps: trainingSteps ?? 1000, betaStart: betaStart ?? 0.00085, betaEnd: betaEnd ?? 0.012)
        }
    }

    /// What the model renders.
    public struct Supports: Sendable, Hashable, Codable {
        /// Resolutions (`720P`, `1080P`, `4K`).
        public var resolutions: [String]
        /// Frame rates.
        public var fps: [Int]
        /// The most frames of one video.
        public var maxFrames: Int?
        /// The largest batch the model takes (1–8).
        public var maxBatch: Int

        /// What a model renders.
        public init(resolutions: [String], fps: [Int], maxFrames: Int?, maxBatch: Int) {
            self.resolutions = resolutions
            self.fps = fps
            self.maxFrames = maxFrames
            self.maxBatch = maxBatch
        }

        enum CodingKeys: String, CodingKey {
            case resolutions, fps
            case maxFrames = "max_frames"
            case maxBatch = "max_batch"
        }
    }

    /// One precision variant and its files (relative to the config file).
    public struct Variant: Sendable, Hashable, Codable {
        /// `fp32`, `fp16` or `int8`.
        public var precision: String
        /// The text encoder's graph.
        public var textEncoder: String?
        /// The denoiser's graph.
        public var denoiser: String?
        /// The VAE decoder's graph.
        public var vaeDecoder: String?

        /// A variant of `precision` with its component files.
        public init(precision: String, textEncoder: String?, denoiser: String?, vaeDecoder: String?) {
            self.precision = precision
            self.textEncoder = textEncoder
            self.denoiser = denoiser
            self.vaeDecoder = vaeDecoder
        }

        enum CodingKeys: String, CodingKey {
            case precision
            case textEncoder = "text_encoder"
            case denoiser
            case vaeDecoder = "vae_decoder"
        }

        /// The component files by component name.
        public var files: [(component: String, path: String?)] {
            [("text_encoder", textEncoder), ("denoiser", denoiser), ("vae_decoder", vaeDecoder)]
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, backend, version, description, tokenizer, latent, schedule, supports, variants, providers
        case memoryMBPerTask = "memory_mb_per_task"
    }

    /// The backends a config may name.
    public static let backends = ["procedural", "onnx"]
    /// The precisions a variant may name.
    public static let precisions = ["fp32", "fp16", "int8"]
    /// The execution providers a config may name.
    public static let providerNames = ["tensorrt", "cuda", "cpu"]

    /// What the API validates requests against.
    public var capabilities: ModelCapabilities {
        ModelCapabilities(
            name: name, resolutions: supports.resolutions.compactMap(Resolution.init(rawValue:)), frameRates: supports.fps,
            maxFrames: supports.maxFrames
        )
    }

    /// Every problem of the config, by field (`variants[1].denoiser`), each with what is wrong;
    /// `fileExists` tells whether a path relative to the config names a file.
    public func validate(fileExists: (String) -> Bool) -> [FieldIssue] {
        var issues: [FieldIssue] = []
        func fail(_ field: String, _ reason: String) { issues.append(FieldIssue(field: field, reason: reason)) }
        if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) {
            fail("name", "must be lowercase letters, digits, - and _, got '\(name)'")
        }
        if !Self.backends.contains(backend) {
            fail("backend", "must be one of \(Self.backends.joined(separator: ", ")), got '\(backend)'")
        }
        for (index, resolution) in supports.resolutions.enumerated() where Resolution(rawValue: resolution) == nil {
            fail("supports.resolutions[\(index)]", "must be one of \(Resolution.allCases.map(\.rawValue).joined(separator: ", ")), got '\(resolution)'")
        }
        if supports.resolutions.isEmpty { fail("supports.resolutions", "must list at least one resolution") }
        if supports.fps.isEmpty || supports.fps.contains(where: { !(1...120).contains($0) }) {
            fail("supports.fps", "must list frame rates of 1–120, got \(supports.fps)")
        }
        if let maxFrames = supports.maxFrames, maxFrames < 1 { fail("supports.max_frames", "must be at least 1, got \(maxFrames)") }
        if !(1...8).contains(supports.maxBatch) { fail("supports.max_batch", "must be 1–8, got \(supports.maxBatch)") }
        if memoryMBPerTask < 1 { fail("memory_mb_per_task", "must be at least 1, got \(memoryMBPerTask)") }
        for (index, provider) in (providers ?? []).enumerated() where !Self.providerNames.contains(provider) {
            fail("providers[\(index)]", "must be one of \(Self.providerNames.joined(separator: ", ")), got '\(provider)'")
        }
        if variants.isEmpty { fail("variants", "must list at least one precision variant") }
        for (index, variant) in variants.enumerated() {
            if !Self.precisions.contains(variant.precision) {
                fail("variants[\(index)].precision", "must be one of \(Self.precisions.joined(separator: ", ")), got '\(variant.precision)'")
            }
            guard backend == "onnx" else { continue }
            for (component, path) in variant.files {
                guard let path else {
                    fail("variants[\(index)].\(component)", "is required for an onnx model")
                    continue
                }
                if !fileExists(path) { fail("variants[\(index)].\(component)", "file not found: \(path)") }
            }
        }
        guard backend == "onnx" else { return issues }
        if let tokenizer {
            if tokenizer.kind != "clip_bpe" { fail("tokenizer.kind", "must be clip_bpe, got '\(tokenizer.kind)'") }
            if !fileExists(tokenizer.vocabulary) { fail("tokenizer.vocabulary", "file not found: \(tokenizer.vocabulary)") }
            if !(2...1024).contains(tokenizer.maxLength) { fail("tokenizer.max_length", "must be 2–1024, got \(tokenizer.maxLength)") }
        } else {
            fail("tokenizer", "is required for an onnx model")
        }
        let layout = latent ?? Latent(channels: LatentBlock.channels, spatialScale: LatentGeometry.spatialFactor, temporalScale: LatentGeometry.temporalFactor)
        if layout.channels != LatentBlock.channels {
            fail("latent.channels", "this build samples \(LatentBlock.channels)-channel latents, got \(layout.channels)")
        }
        if layout.spatialScale != LatentGeometry.spatialFactor {
            fail("latent.spatial_scale", "this build samples latents at 1/\(LatentGeometry.spatialFactor) of the resolution, got \(layout.spatialScale)")
        }
        if layout.temporalScale != LatentGeometry.temporalFactor {
            fail("latent.temporal_scale", "this build samples one latent frame per \(LatentGeometry.temporalFactor) frames, got \(layout.temporalScale)")
        }
        if let schedule {
            if !["epsilon", "v_prediction"].contains(schedule.prediction) {
                fail("schedule.prediction", "must be epsilon or v_prediction, got '\(schedule.prediction)'")
            }
            if let steps = schedule.trainingSteps, steps < 2 { fail("schedule.training_steps", "must be at least 2, got \(steps)") }
        } else {
            fail("schedule", "is required for an onnx model")
        }
        return issues
    }
}
