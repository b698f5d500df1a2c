import VideoGenXCore

/// A model that samples a video a latent window at a time through the shared ``SamplingLoop``
/// and decodes each finished window to frames: the procedural model and the ONNX backend. What
/// differs between them is only what this protocol asks for — the denoiser of a window and the
/// decoder — so one stepper (``WindowedStepper``) runs every backend: the same initial noise,
/// step noise, checkpoints and progress.
public protocol WindowedLatentModel: VideoModel {
    /// What the model prepares once per job (e.g. the prompt's text embeddings).
    associatedtype JobContext: Sendable
    /// The denoiser of one window.
    associatedtype WindowDenoiser: Denoiser & Sendable
    /// Turns finished windows into frames.
    associatedtype FrameDecoder: LatentFrameDecoder

    /// The latent-frame ranges sampled one after another.
    func windows(for job: GenerationJob) -> [Range<Int>]

    /// The loop (sampler, guidance, σ levels) of `job`.
    func samplingLoop(for job: GenerationJob) -> SamplingLoop

    /// Checks the job and prepares what every window of it needs.
    /// - Throws: ``ModelError`` for a job the model cannot run or when not loaded.
    func prepare(_ job: GenerationJob) throws -> JobContext

    /// The denoiser of window `latentFrames` of `job`.
    func denoiser(for job: GenerationJob, latentFrames: Range<Int>, context: JobContext) throws -> WindowDenoiser

    /// A decoder for `job`'s frames.
    func decoder(for job: GenerationJob, context: JobContext) throws -> FrameDecoder

    /// Frames per streamed chunk.
    var chunkFrames: Int { get }
}

/// Turns a video's sampled latent windows, in order, into its frames.
public protocol LatentFrameDecoder: Sendable {
    /// The next frame index to be decoded.
    var nextFrame: Int { get }
    /// Takes the next finished window (a network decoder runs it here, so a failure surfaces
    /// from the step that ended the window).
    mutating func receive(_ block: LatentBlock) throws
    /// Frames that can be handed out now, at most `limit`.
    mutating func decodeAvailable(limit: Int) -> [RGBFrame]
}

extension WindowedLatentModel {
    /// The job a sampler step at a time (``WindowedStepper``).
    /// - Throws: ``ModelError`` when not loaded, for a bad job, or a checkpoint that does not fit.
    public func stepper(for job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?) throws -> any GenerationStepper {
        try WindowedStepper(model: self, job: job, index: index, resumingFrom: checkpoint)
    }

    /// Runs the job through its stepper, streaming each finished window's frames, pausing with a
    /// checkpoint at the next step once `pause` is raised. Steps and decoding run on
    /// ``ComputeThreads``.
    public func generate(
        _ job: GenerationJob, index: Int = 0, resumingFrom checkpoint: VideoCheckpoint?, pause: PauseSignal,
        progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void
    ) async throws -> GenerationOutcome {
        let stepper = try WindowedStepper(model: self, job: job, index: index, resumingFrom: checkpoint)
        while !stepper.isFinished {
            if pause.isRequested, let checkpoint = stepper.checkpoint() {
                return .paused(checkpoint)
            }
            try await stepper.stepOnComputeThreads()
            progress(stepper.progress)
            while let chunk = try await stepper.nextChunkOnComputeThreads() {
                try Task.checkCancellation()
                try await frames(chunk)
            }
        }
        return .finished
    }

    /// Every job of `batch`, one after another.
    public func generate(
        _ batch: [GenerationJob], progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void
    ) async throws {
        for (index, job) in batch.enumerated() {
            _ = try await generate(job, index: index, resumingFrom: nil, pause: PauseSignal(), progress: progress, frames: frames)
        }
    }
}

/// Where a window's sampling starts: pure noise at the loop's first σ (seeded by the job), or a
/// checkpoint of this job and window.
public enum WindowStart {
    /// The window's starting latent and its first step.
    /// - Throws: ``ModelError`` `invalid_checkpoint` for a checkpoint of another job or window.
    public static func latent(
        of job: GenerationJob, latentFrames: Range<Int>, loop: SamplingLoop, from checkpoint: SamplerCheckpoint?
    ) throws -> (latents: LatentBlock, step: Int) {
        let geometry = job.latentGeometry
        guard let checkpoint else {
            var x = LatentBlock(firstFrame: latentFrames.lowerBound, frameCount: latentFrames.count, height: geometry.height, width: geometry.width)
            GaussianNoise(seed: job.seed).fill(&x, stream: 0)
            let sigma = loop.initialSigma
            for i in x.values.indices {
                x.values[i] *= sigma
            }
            return (x, 0)
        }
        let latents = checkpoint.latents
        guard checkpoint.seed == job.seed, (0...loop.steps).contains(checkpoint.nextStep), latents.firstFrame == latentFrames.lowerBound,
              latents.frameCount == latentFrames.count, latents.height == geometry.height, latents.width == geometry.width
        else {
            throw ModelError(code: "invalid_checkpoint", message: "the checkpoint was not taken from this job and window")
        }
        return (latents, checkpoint.nextStep)
    }
}
