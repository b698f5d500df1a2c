import VideoGenXCore

/// A text-to-video model as the platform drives it: load on a device, generate batches of jobs
/// with progress and cancellation at every sampler step, stream decoded frames, release.
public protocol VideoModel: Sendable {
    /// The model's registry name, e.g. `procedural`.
    var name: String { get }

    /// The sampler a request's `auto` resolves to for this model.
    var preferredSampler: SamplerChoice { get }

    /// Prepares the model on `device`. Throws ``ModelError`` when the device is unsupported.
    func load(on device: ComputeDevice) async throws

    /// Generates every job of `batch`, streaming frames in order per job.
    ///
    /// - Parameters:
    ///   - batch: the jobs; all share one batch key in the scheduler (not required here).
    ///   - progress: called after every sampler step, on the generating task.
    ///   - frames: receives decoded frames in order; awaiting it is the back-pressure.
    /// - Throws: `CancellationError` within one sampler step of the task being cancelled;
    ///   ``ModelError`` when not loaded; whatever `frames` throws.
    func generate(
        _ batch: [GenerationJob],
        progress: (SamplingProgress) -> Void,
        frames: (FrameChunk) async throws -> Void
    ) async throws

    /// Generates one job so that it can be preempted: resumes from `checkpoint` when given and
    /// pauses at the next sampler step once `pause` is raised. A model that cannot pause (the
    /// default implementation) runs the job whole and refuses checkpoints.
    ///
    /// - Returns: finished, or paused with the checkpoint to resume from on any device.
    func generate(
        _ job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?, pause: PauseSignal,
        progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void
    ) async throws -> GenerationOutcome

    /// A generation of `job` to be run a sampler step at a time in a continuous batch, resuming
    /// from `checkpoint` when given. Models without such a path throw (the default).
    /// - Throws: ``ModelError`` for a bad job or a checkpoint that does not fit it.
    func stepper(for job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?) throws -> any GenerationStepper

    /// Frees what ``load(on:)`` took. Generating afterwards throws until loaded again.
    func release() async
}

extension VideoModel {
    /// Runs the job whole with ``generate(_:progress:frames:)``; a checkpoint is refused.
    public func generate(
        _ job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?, pause: PauseSignal,
        progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void
    ) async throws -> GenerationOutcome {
        guard checkpoint == nil else {
            throw ModelError(code: "invalid_checkpoint", message: "the \(name) model cannot resume from a checkpoint")
        }
        try await generate([job], progress: progress, frames: frames)
        return .finished
    }
}

/// An error of a model: not loaded, unsupported device, bad job.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error code (`model_not_loaded`, `model_load_failed`, `model_unavailable`, `invalid_job`, `out_of_memory`).
    public var code: String
    /// Human-readable message.
    public var message: String

    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The code a model reports device memory exhaustion with; the warm model cache then
    /// reloads it at a lower precision if it has one.
    public static let outOfMemory = "out_of_memory"
}
