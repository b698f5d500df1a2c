import Synchronization
import VideoGenXCore
import VideoGenXInference

/// A model of the ONNX backend (one precision variant): three graphs — text encoder, denoiser,
/// VAE decoder — loaded as ONNX Runtime sessions at ``load(on:)`` and kept for its life in the
/// warm cache; the CLIP tokenizer; the training schedule and prediction type of its config.
/// Sampling runs in the platform's shared loop (``WindowedLatentModel``): every sampler,
/// classifier-free guidance as one batch of two, latent windows, progress, cancel and
/// checkpoints at any step.
///
/// The graphs' contract (checked at load; an error names the tensor):
/// - text encoder: `input_ids` int64 `[B, L]` → `[B, L, D]` float;
/// - denoiser: `sample` `[B, 4, T, H, W]`, `timestep` `[B]`, `encoder_hidden_states` `[B, L, D]`
///   → ε or v `[B, 4, T, H, W]` (float; fp16 graphs keep float inputs and outputs);
/// - VAE decoder: `latent` `[B, 4, T, H, W]` → `[B, 3, 4T, 8H, 8W]` in −1…1.
public final class OnnxVideoModel: WindowedLatentModel {
    /// What the denoiser predicts.
    public enum Prediction: String, Sendable {
        /// The noise ε.
        case epsilon
        /// The velocity v = α·ε − σ·x₀ (in the variance-preserving frame).
        case vPrediction = "v_prediction"
    }

    /// The graph files of one precision variant.
    public struct Components: Sendable, Hashable {
        /// The text encoder's `.onnx`.
        public var textEncoder: String
        /// The denoiser's `.onnx`.
        public var denoiser: String
        /// The VAE decoder's `.onnx`.
        public var vaeDecoder: String

        /// The three files.
        public init(textEncoder: String, denoiser: String, vaeDecoder: String) {
            self.textEncoder = textEncoder
            self.denoiser = denoiser
            self.vaeDecoder = vaeDecoder
        }
    }

    private struct Sessions: Sendable {
        var text: OnnxSession
        var denoiser: OnnxSession
        var decoder: OnnxSession
        var tokenizer: CLIPTokenizer
    }

    /// Registry name.
    public let name: String
    /// The variant's precision (`fp32`, `fp16`, `int8`).
    public let precision: String
    let components: Components
    let vocabulary: String
    let maxLength: Int
    let schedule: NoiseSchedule
    let prediction: Prediction
    let runtime: OnnxRuntime
    let threads: Int
    /// Latent frames per window (each decodes to 4 frames): bounds the decoder's output.
    let windowLatentFrames: Int
    private let sessions = Mutex<Sessions?>(nil)

    /// A model over `components`, unloaded.
    /// - Parameters:
    ///   - vocabulary: the CLIP BPE merges file; `maxLength` tokens per prompt.
    ///   - threads: intra-op threads per session (0: ONNX Runtime's choice, one per core). Default 1.
    public init(
        name: String, precision: String, components: Components, vocabulary: String, maxLength: Int, schedule: NoiseSchedule,
        prediction: Prediction, runtime: OnnxRuntime, threads: Int = 1, windowLatentFrames: Int = 2
    ) {
        self.name = name
        self.precision = precision
        self.components = components
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.schedule = schedule
        self.prediction = prediction
        self.runtime = runtime
        self.threads = threads
        self.windowLatentFrames = max(1, windowLatentFrames)
    }

    /// Euler, as for the diffusion models this contract comes from.
    public var preferredSampler: SamplerChoice { .euler }

    /// Loads the three sessions and the tokenizer, checking each graph's inputs and outputs. This
    /// build runs every device's sessions on ONNX Runtime's CPU execution provider (the worker
    /// logs the fallback when a GPU is configured).
    /// - Throws: ``ModelError``: `out_of_memory`, or `model_load_failed` naming the file and the
    ///   tensor or the runtime's reason.
    public func load(on device: ComputeDevice) async throws {
        do {
            let loaded = Sessions(
                text: try runtime.session(path: components.textEncoder, intraOpThreads: threads),
                denoiser: try runtime.session(path: components.denoiser, intraOpThreads: threads),
                decoder: try runtime.session(path: components.vaeDecoder, intraOpThreads: threads),
                tokenizer: try CLIPTokenizer(vocabulary: vocabulary, maxLength: maxLength)
            )
            try Self.checkContract(loaded, maxLength: maxLength)
            sessions.withLock { $0 = loaded }
        } catch let error as OnnxError {
            throw Self.modelError(error)
        }
    }

    /// Drops the sessions.
    public func release() async {
        sessions.withLock { $0 = nil }
    }

    /// Windows of ``windowLatentFrames`` latent frames.
    public func windows(for job: GenerationJob) -> [Range<Int>] {
        let frames = job.latentGeometry.frameCount
        return stride(from: 0, to: frames, by: windowLatentFrames).map { $0..<min($0 + windowLatentFrames, frames) }
    }

    /// The shared loop over the config's schedule.
    public func samplingLoop(for job: GenerationJob) -> SamplingLoop {
        SamplingLoop(
            sampler: job.sampler.makeSampler(preferred: preferredSampler), guidance: ClassifierFreeGuidance(scale: job.cfgScale),
            schedule: schedule, steps: job.steps
        )
    }

    /// Tokenises the prompt and the empty prompt and encodes both in one text-encoder run.
    public func prepare(_ job: GenerationJob) throws -> TextConditioningBox {
        guard let loaded = sessions.withLock({ $0 }) else {
            throw ModelError(code: "model_not_loaded", message: "load the \(name) model on a device before generating")
        }
        guard job.width > 0, job.height > 0, job.frameCount > 0, job.steps > 0, job.cfgScale.isFinite, job.cfgScale >= 1 else {
            throw ModelError(code: "invalid_job", message: "job needs positive size, frames and steps and a guidance scale ≥ 1")
        }
        let ids = (loaded.tokenizer.encode(job.prompt) + loaded.tokenizer.encode("")).map(Int64.init)
        do {
            let outputs = try loaded.text.run(["input_ids": OnnxTensor(shape: [2, maxLength], int64s: ids)])
            guard let embeddings = outputs.values.first, embeddings.shape.count == 3, embeddings.shape[0] == 2 else {
                throw OnnxError(code: "onnx_tensor_mismatch", message: "\(components.textEncoder): the text encoder must give [2, \(maxLength), D]")
            }
            let values = embeddings.floats
            let half = values.count / 2
            return TextConditioningBox(TextConditioning(
                conditional: Array(values[..<half]), unconditional: Array(values[half...]), length: embeddings.shape[1], width: embeddings.shape[2]
            ))
        } catch let error as OnnxError {
            throw Self.modelError(error)
        }
    }

    /// The window's denoiser on the denoiser session.
    public func denoiser(for job: GenerationJob, latentFrames: Range<Int>, context: TextConditioningBox) throws -> OnnxWindowDenoiser {
        guard let loaded = sessions.withLock({ $0 }) else {
            throw ModelError(code: "model_not_loaded", message: "the \(name) model was released")
        }
        return OnnxWindowDenoiser(OnnxDenoiser(session: loaded.denoiser, text: context.value, schedule: schedule, prediction: prediction))
    }

    /// The VAE decoder of the job's frames.
    public func decoder(for job: GenerationJob, context: TextConditioningBox) throws -> OnnxWindowDecoder {
        guard let loaded = sessions.withLock({ $0 }) else {
            throw ModelError(code: "model_not_loaded", message: "the \(name) model was released")
        }
        return OnnxWindowDecoder(OnnxFrameDecoder(session: loaded.decoder, job: job))
    }

    /// Frames per streamed chunk.
    public var chunkFrames: Int { 4 }

    /// Checks the graphs against the contract on the type.
    private static func checkContract(_ sessions: Sessions, maxLength: Int) throws {
        func require(_ session: OnnxSession, inputs: [(String, OnnxElementType, Int)], outputs: Int) throws {
            for (name, type, rank) in inputs {
                guard let spec = session.inputs.first(where: { $0.name == name }) else {
                    throw OnnxError(code: "onnx_tensor_mismatch", message: "\(session.path): input '\(name)' is missing (the graph has \(session.inputs.map(\.description)))")
                }
                guard spec.elementType == type, spec.shape.count == rank else {
                    throw OnnxError(code: "onnx_tensor_mismatch", message: "\(session.path): input \(spec) must be \(type) of rank \(rank)")
                }
            }
            guard session.outputs.count == outputs, session.outputs.allSatisfy({ $0.elementType == .float }) else {
                throw OnnxError(code: "onnx_tensor_mismatch", message: "\(session.path): must have \(outputs) float output(s), has \(session.outputs.map(\.description))")
            }
        }
        try require(sessions.text, inputs: [("input_ids", .int64, 2)], outputs: 1)
        if let length = sessions.text.inputs.first?.shape.last, length > 0, length != maxLength {
            throw OnnxError(code: "onnx_tensor_mismatch", message: "\(sessions.text.path): input_ids takes \(length) tokens, the config's tokenizer gives \(maxLength)")
        }
        try require(sessions.denoiser, inputs: [("sample", .float, 5), ("timestep", .float, 1), ("encoder_hidden_states", .float, 3)], outputs: 1)
        try require(sessions.decoder, inputs: [("latent", .float, 5)], outputs: 1)
    }

    /// The model error for `error`: out-of-memory keeps its code (the cache downgrades the precision).
    static func modelError(_ error: OnnxError) -> ModelError {
        ModelError(code: error.code == "out_of_memory" ? ModelError.outOfMemory : "model_load_failed", message: error.message)
    }
}

/// A job's text conditioning, opaque outside this module.
public struct TextConditioningBox: Sendable {
    let value: TextConditioning
    init(_ value: TextConditioning) { self.value = value }
}

/// The ONNX denoiser of one window, opaque outside this module.
public struct OnnxWindowDenoiser: Denoiser, Sendable {
    let inner: OnnxDenoiser
    init(_ inner: OnnxDenoiser) { self.inner = inner }

    /// The clean latent one branch predicts.
    public func predictClean(_ noisy: LatentBlock, sigma: Float, branch: GuidanceBranch, into prediction: inout LatentBlock) throws {
        do {
            try inner.predictClean(noisy, sigma: sigma, branch: branch, into: &prediction)
        } catch let error as OnnxError {
            throw OnnxVideoModel.runError(error)
        }
    }

    /// Both branches, as one batch of two.
    public func predictBoth(_ noisy: LatentBlock, sigma: Float, conditional: inout LatentBlock, unconditional: inout LatentBlock) throws {
        do {
            try inner.predictBoth(noisy, sigma: sigma, conditional: &conditional, unconditional: &unconditional)
        } catch let error as OnnxError {
            throw OnnxVideoModel.runError(error)
        }
    }
}

/// The ONNX VAE decoder of a job, opaque outside this module.
public struct OnnxWindowDecoder: LatentFrameDecoder {
    var inner: OnnxFrameDecoder
    init(_ inner: OnnxFrameDecoder) { self.inner = inner }

    /// The next frame index to hand out.
    public var nextFrame: Int { inner.nextFrame }

    /// Decodes a finished window.
    public mutating func receive(_ block: LatentBlock) throws {
        do {
            try inner.receive(block)
        } catch let error as OnnxError {
            throw OnnxVideoModel.runError(error)
        }
    }

    /// Decoded frames, at most `limit`.
    public mutating func decodeAvailable(limit: Int) -> [RGBFrame] {
        inner.decodeAvailable(limit: limit)
    }
}

extension OnnxVideoModel {
    /// The model error for a failed run: out-of-memory keeps its code, anything else is `inference_failed`.
    static func runError(_ error: OnnxError) -> ModelError {
        ModelError(code: error.code == "out_of_memory" ? ModelError.outOfMemory : "inference_failed", message: error.message)
    }
}
