import Synchronization

/// The ``GenerationStepper`` of every ``WindowedLatentModel``: the shared sampling loop cut at
/// its steps — the same initial noise, loop, denoiser and step noise as an uninterrupted run,
/// so every window's latents, and so every frame, are bit-identical to it. A window is set up
/// (noise, denoiser) as soon as the one before it ends, so a checkpoint is always a window and
/// a step within it.
final class WindowedStepper<Model: WindowedLatentModel>: GenerationStepper {
    private struct Window {
        var index: Int
        var nextStep: Int
        var x: LatentBlock
        var denoiser: Model.WindowDenoiser
        var scratch: SamplingLoop.Scratch
    }

    private struct State {
        /// The window being sampled; `nil` once every window has run.
        var window: Window?
        var decoder: Model.FrameDecoder
    }

    private let model: Model
    private let job: GenerationJob
    private let context: Model.JobContext
    private let index: Int
    private let windows: [Range<Int>]
    private let loop: SamplingLoop
    private let resume: VideoCheckpoint?
    private let state: Mutex<State>

    init(model: Model, job: GenerationJob, index: Int, resumingFrom checkpoint: VideoCheckpoint?) throws {
        let context = try model.prepare(job)
        let windows = model.windows(for: job)
        if let checkpoint, !windows.indices.contains(checkpoint.window) {
            throw ModelError(code: "invalid_checkpoint", message: "the checkpoint's window \(checkpoint.window) is not one of this job's \(windows.count)")
        }
        self.model = model
        self.job = job
        self.context = context
        self.index = index
        self.windows = windows
        self.resume = checkpoint
        loop = model.samplingLoop(for: job)
        state = Mutex(State(window: nil, decoder: try model.decoder(for: job, context: context)))
        if let checkpoint {
            // Refused now, not when sampling reaches its window.
            _ = try WindowStart.latent(of: job, latentFrames: windows[checkpoint.window], loop: loop, from: checkpoint.sampler)
        }
        let first = try window(0)
        state.withLock { $0.window = first }
    }

    /// Window `index` ready to sample: from the checkpoint when it was taken there, else from noise.
    private func window(_ index: Int) throws -> Window {
        let frames = windows[index]
        let (x, nextStep) = try WindowStart.latent(of: job, latentFrames: frames, loop: loop, from: resume?.window == index ? resume?.sampler : nil)
        return Window(
            index: index, nextStep: nextStep, x: x, denoiser: try model.denoiser(for: job, latentFrames: frames, context: context),
            scratch: SamplingLoop.Scratch(like: x, loop: loop)
        )
    }

    var isFinished: Bool { state.withLock { $0.window == nil } }

    var progress: SamplingProgress {
        state.withLock { state in
            guard let window = state.window else {
                return SamplingProgress(jobIndex: index, window: windows.count - 1, windowCount: windows.count, step: job.steps, steps: job.steps)
            }
            return SamplingProgress(jobIndex: index, window: window.index, windowCount: windows.count, step: window.nextStep, steps: job.steps)
        }
    }

    func step() throws {
        try Task.checkCancellation()
        let noise = GaussianNoise(seed: job.seed)
        let ended: Int? = try state.withLock { state in
            guard var window = state.window else { return nil }
            state.window = nil
            if window.nextStep < loop.steps {
                do {
                    try loop.step(window.nextStep, &window.x, denoiser: window.denoiser, scratch: &window.scratch) { step, block in
                        noise.fill(&block, stream: UInt64(step) + 1)
                    }
                } catch {
                    // Keep the window (and its checkpoint) as it was before the failed step.
                    state.window = window
                    throw error
                }
                window.nextStep += 1
            }
            guard window.nextStep >= loop.steps else {
                state.window = window
                return nil
            }
            try state.decoder.receive(window.x)
            return window.index
        }
        // Set up the next window outside the lock's critical work on the decoder.
        if let ended, ended + 1 < windows.count {
            let next = try window(ended + 1)
            state.withLock { $0.window = next }
        }
    }

    func nextChunk() -> FrameChunk? {
        let chunkFrames = model.chunkFrames
        return state.withLock { state in
            let start = state.decoder.nextFrame
            let frames = state.decoder.decodeAvailable(limit: chunkFrames)
            return frames.isEmpty ? nil : FrameChunk(jobIndex: index, firstFrame: start, frames: frames)
        }
    }

    func checkpoint() -> VideoCheckpoint? {
        state.withLock { state in
            state.window.map { VideoCheckpoint(window: $0.index, sampler: SamplerCheckpoint(nextStep: $0.nextStep, seed: job.seed, latents: $0.x)) }
        }
    }
}
