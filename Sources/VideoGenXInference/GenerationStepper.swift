/// One job's generation advanced a sampler step at a time, so that a scheduler can run many as
/// a continuous batch: step every member, stream the frames of windows that finished, and at
/// any step boundary take a member out (with its checkpoint) or put a new one in. Stepping a job
/// to its end streams exactly the frames ``VideoModel/generate(_:index:resumingFrom:pause:progress:frames:)``
/// streams for it.
public protocol GenerationStepper: AnyObject, Sendable {
    /// Whether every sampler step of every window has run.
    var isFinished: Bool { get }

    /// Where the generation stands (for progress reports).
    var progress: SamplingProgress { get }

    /// Runs the next sampler step. When it ends a window, that window's frames can be taken
    /// with ``nextChunk()``.
    /// - Throws: ``ModelError`` when the model was released; `CancellationError`.
    func step() throws

    /// The next chunk of decoded frames of a finished window, `nil` when none is pending.
    func nextChunk() -> FrameChunk?

    /// The checkpoint to resume from on any device: the current window and its next step;
    /// `nil` once finished.
    func checkpoint() -> VideoCheckpoint?
}

extension VideoModel {
    /// A model without a step-at-a-time path cannot join a continuous batch.
    public func stepper(for job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?) throws -> any GenerationStepper {
        throw ModelError(code: "invalid_job", message: "the \(name) model cannot run a sampler step at a time")
    }
}

extension GenerationStepper {
    /// ``step()`` as the platform runs it: on ``ComputeThreads``, never holding a cooperative
    /// thread for the whole step.
    /// - Throws: whatever ``step()`` throws; `CancellationError` when already cancelled.
    public func stepOnComputeThreads() async throws {
        try await ComputeThreads.run { try self.step() }
    }

    /// ``nextChunk()`` on ``ComputeThreads`` (decoding a window is CPU-bound too).
    /// - Throws: `CancellationError` when already cancelled.
    public func nextChunkOnComputeThreads() async throws -> FrameChunk? {
        try await ComputeThreads.run { self.nextChunk() }
    }
}
