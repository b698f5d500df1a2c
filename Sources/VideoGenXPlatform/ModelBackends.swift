import Logging
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXONNX
import VideoGenXScheduler

/// The model backends this build has, and the one place that constructs them (the composition
/// root): the built-in procedural model and ONNX Runtime. Says whether a registered model can
/// run on this node, and why not.
package enum ModelBackends {
    /// ONNX Runtimes opened so far, by library path (opened once per process).
    private static let runtimes = Mutex<[String: Result<OnnxRuntime, OnnxError>]>([:])

    /// The runtime of `settings`' library, opened on first use.
    static func onnxRuntime(_ settings: OnnxSettings) -> Result<OnnxRuntime, OnnxError> {
        let path = settings.libraryPath
        return runtimes.withLock { runtimes in
            if let opened = runtimes[path] { return opened }
            let opened: Result<OnnxRuntime, OnnxError>
            do {
                opened = .success(try OnnxRuntime(library: try OrtLibrary(path: path)))
            } catch let error as OnnxError {
                opened = .failure(error)
            } catch {
                opened = .failure(OnnxError(code: "onnx_library_missing", message: "\(error)"))
            }
            runtimes[path] = opened
            return opened
        }
    }

    /// Why a model of `config` cannot run on this node (`nil`: it can), with what to do.
    static func availability(_ settings: OnnxSettings) -> @Sendable (ModelConfig) -> String? {
        { config in
            switch config.backend {
            case "onnx":
                let providers = config.providers ?? settings.providers
                guard providers.contains("cpu") else {
                    return "its execution providers (\(providers.joined(separator: ", "))) are not in this build, which runs ONNX models on cpu; add cpu to providers"
                }
                if case .failure(let error) = onnxRuntime(settings) {
                    return "\(error.message) (onnx.library); install ONNX Runtime with `make model-deps` (pip install onnxruntime==1.31.1)"
                }
                return nil
            default:
                return nil
            }
        }
    }

    /// Says, once at start-up, which execution provider ONNX models run on here: this build has
    /// the CPU provider only, so a GPU device (or a config asking for `cuda` or `tensorrt`)
    /// falls back to it, with the reason logged.
    static func logProviders(_ configuration: ServeConfiguration, logger: Logger) {
        let onnxModels = configuration.registry.entries.filter { $0.config.backend == "onnx" && $0.unavailableReason == nil }
        guard !onnxModels.isEmpty else { return }
        let asked = Set(onnxModels.flatMap { $0.config.providers ?? configuration.onnx.providers }).subtracting(["cpu"])
        let gpus = configuration.worker.devices.filter { if case .gpu = $0.kind { true } else { false } }
        if !asked.isEmpty || !gpus.isEmpty {
            var available = ""
            if case .success(let runtime) = onnxRuntime(configuration.onnx) { available = runtime.availableProviders.joined(separator: ",") }
            logger.warning("ONNX models run on ONNX Runtime's cpu execution provider: this build does not load the cuda or tensorrt providers", metadata: [
                "onnx.providers.asked": "\(asked.sorted().joined(separator: ","))", "worker.devices": "\(gpus.map(\.name).joined(separator: ","))",
                "onnx.providers.available": "\(available)",
            ])
        }
    }

    /// Every registered model as the warm cache loads it: its memory per task, its precision
    /// variants in fallback order, and how to make it at a precision. A model that cannot run
    /// here is still listed, and fails to load with the reason (so its tasks fail saying why).
    static func descriptors(_ registry: ModelRegistry, onnx: OnnxSettings) -> [ModelCache.Descriptor] {
        registry.entries.map { entry in
            let config = entry.config
            return ModelCache.Descriptor(
                name: config.name, memoryBytes: UInt64(config.memoryMBPerTask) << 20, precisions: config.variants.map(\.precision)
            ) { precision in
                make(entry, precision: precision, onnx: onnx)
            }
        }
    }

    /// A new, unloaded instance of `entry` at `precision`.
    package static func make(_ entry: ModelRegistry.Entry, precision: String, onnx: OnnxSettings) -> any VideoModel {
        let config = entry.config
        if let reason = entry.unavailableReason {
            return UnavailableModel(name: config.name, reason: reason)
        }
        switch config.backend {
        case "onnx":
            guard case .success(let runtime) = onnxRuntime(onnx),
                  let variant = config.variants.first(where: { $0.precision == precision }) ?? config.variants.first,
                  let textEncoder = variant.textEncoder, let denoiser = variant.denoiser, let vaeDecoder = variant.vaeDecoder,
                  let tokenizer = config.tokenizer, let schedule = config.schedule
            else {
                return UnavailableModel(name: config.name, reason: "its config or ONNX Runtime is incomplete")
            }
            return OnnxVideoModel(
                name: config.name, precision: variant.precision,
                components: .init(textEncoder: entry.path(textEncoder), denoiser: entry.path(denoiser), vaeDecoder: entry.path(vaeDecoder)),
                vocabulary: entry.path(tokenizer.vocabulary), maxLength: tokenizer.maxLength, schedule: schedule.noiseSchedule,
                prediction: OnnxVideoModel.Prediction(rawValue: schedule.prediction) ?? .epsilon, runtime: runtime, threads: onnx.threads
            )
        default:
            return ProceduralModel()
        }
    }
}

/// A registered model this node cannot run: loading it fails with the reason.
struct UnavailableModel: VideoModel {
    let name: String
    let reason: String
    var preferredSampler: SamplerChoice { .euler }

    func load(on device: ComputeDevice) async throws {
        throw ModelError(code: "model_unavailable", message: "the model \(name) cannot run on this node: \(reason)")
    }

    func generate(_ batch: [GenerationJob], progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void) async throws {
        throw ModelError(code: "model_unavailable", message: "the model \(name) cannot run on this node: \(reason)")
    }

    func release() async {}
}
