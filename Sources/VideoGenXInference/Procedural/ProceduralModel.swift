import Synchronization
import VideoGenXCore

/// `procedural`: the built-in **reference model** for running and testing the platform. It is
/// not AI and has no weights. It runs the real sampling loop (noise schedule, sampler,
/// classifier-free guidance) against an analytic denoiser that knows the clean latent a seeded
/// procedural scene renderer draws from the prompt, then decodes latents to RGB frames.
///
/// What makes it a faithful stand-in: runs are bit-reproducible for a seed; steps, guidance and
/// sampler change the output; cost grows with steps × latent frames × latent pixels like a real
/// model; cancellation stops within one sampler step; frames stream out window by window so
/// memory stays flat in the video's length.
public final class ProceduralModel: VideoModel {
    /// Tuning of the model's memory/latency trade-offs.
    public struct Configuration: Sendable, Hashable {
        /// Latent frames sampled together (one latent frame = 4 video frames). Default `nil`:
        /// as many as fit in ``windowBudgetBytes``, between 1 and 8.
        public var windowLatentFrames: Int?
        /// Size of one latent window when ``windowLatentFrames`` is `nil`. Default 2 MiB, which
        /// keeps the sampler's working set in cache, so cost per latent pixel stays the same at
        /// every resolution (720P: 8 latent frames, 1080P: 4, 4K: 1).
        public var windowBudgetBytes: Int
        /// Most frames per streamed chunk. Default 4.
        public var chunkFrames: Int

        /// Creates a configuration; defaults as documented on each property.
        public init(windowLatentFrames: Int? = nil, windowBudgetBytes: Int = 2 << 20, chunkFrames: Int = 4) {
            self.windowLatentFrames = windowLatentFrames.map { max(1, $0) }
            self.windowBudgetBytes = max(1, windowBudgetBytes)
            self.chunkFrames = max(1, chunkFrames)
        }
    }

    /// The latent windows `job` is sampled in, in order; together they cover every latent frame.
    public func windows(for job: GenerationJob) -> [Range<Int>] {
        let geometry = job.latentGeometry
        let bytesPerFrame = geometry.valuesPerFrame * MemoryLayout<Float>.size
        let size = configuration.windowLatentFrames ?? min(8, max(1, configuration.windowBudgetBytes / bytesPerFrame))
        return stride(from: 0, to: geometry.frameCount, by: size).map { $0..<min($0 + size, geometry.frameCount) }
    }

    /// The registry name.
    public static let modelName = "procedural"
    /// The sampler `auto` resolves to.
    public static let preferredSampler = SamplerChoice.euler

    /// The registry name, `procedural`.
    public var name: String { Self.modelName }
    /// `auto` means Euler for this model.
    public var preferredSampler: SamplerChoice { Self.preferredSampler }
    /// The configuration.
    public let configuration: Configuration
    /// The model's noise schedule.
    public let schedule = NoiseSchedule()

    private let device = Mutex<ComputeDevice?>(nil)

    /// Creates the model (not loaded).
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Loads for any device's warm cache; it computes on the host CPU whatever the device (it has
    /// no GPU kernels), as the README's devices section says.
    public func load(on device: ComputeDevice) async throws {
        self.device.withLock { $0 = device }
    }

    /// Whether the model is loaded on a device.
    var isLoaded: Bool { device.withLock { $0 } != nil }

    /// Unloads the model.
    public func release() async {
        device.withLock { $0 = nil }
    }

    /// Generates a batch: window by window, the window of every job is sampled together
    /// (``sampleLatents(batch:)``), then each job's frames of that window are decoded and
    /// streamed, tagged with the job's index. The output of each job is exactly what it gets alone.
    /// A batch of one reports progress after every step; a larger one after every window.
    public func generate(
        _ batch: [GenerationJob],
        progress: (SamplingProgress) -> Void,
        frames: (FrameChunk) async throws -> Void
    ) async throws {
        guard device.withLock({ $0 }) != nil else {
            throw ModelError(code: "model_not_loaded", message: "load the procedural model on a device before generating")
        }
        if batch.count == 1 {
            // Alone, with progress after every sampler step.
            _ = try await generate(batch[0], index: 0, resumingFrom: nil, pause: PauseSignal(), progress: progress, frames: frames)
            return
        }
        for job in batch { try Self.check(job) }
        let windows = batch.map { self.windows(for: $0) }
        var decoders = batch.map { LatentDecoder(width: $0.width, height: $0.height, frameCount: $0.frameCount, style: $0.style, seed: $0.seed) }
        for window in 0..<(windows.map(\.count).max() ?? 0) {
            let members = batch.indices.filter { window < windows[$0].count }
            let latents = try await sampleLatents(batch: members.map { (batch[$0], windows[$0][window]) })
            for (member, block) in zip(members, latents) {
                progress(SamplingProgress(jobIndex: member, window: window, windowCount: windows[member].count, step: batch[member].steps, steps: batch[member].steps))
                decoders[member].receive(block)
                while true {
                    try Task.checkCancellation()
                    let start = decoders[member].nextFrame
                    let decoded = decoders[member].decodeAvailable(limit: configuration.chunkFrames)
                    if decoded.isEmpty { break }
                    try await frames(FrameChunk(jobIndex: member, firstFrame: start, frames: decoded))
                }
            }
        }
    }

    /// Samples one window of each job of a batch together, the procedural model's batched path:
    /// the batch dimension is spread over the CPU's cores (as a GPU spreads it over its
    /// multiprocessors), so a batch of n costs less than n single runs up to the core count
    /// (`videogenx bench model --batch-curve`). Each result is bit-identical to sampling alone.
    /// Jobs of different latent sizes (sizes sharing a bucket) are padded to the batch's largest
    /// and cropped back (``sampleLatents(for:latentFrames:paddedTo:)``).
    public func sampleLatents(batch: [(job: GenerationJob, latentFrames: Range<Int>)]) async throws -> [LatentBlock] {
        let height = batch.map(\.job.latentGeometry.height).max() ?? 0
        let width = batch.map(\.job.latentGeometry.width).max() ?? 0
        return try await withThrowingTaskGroup(of: (Int, LatentBlock).self) { group in
            for (index, item) in batch.enumerated() {
                group.addTask {
                    (index, try await ComputeThreads.run { try self.sampleLatents(for: item.job, latentFrames: item.latentFrames, paddedTo: (height, width)) })
                }
            }
            var blocks = [LatentBlock?](repeating: nil, count: batch.count)
            for try await (index, block) in group { blocks[index] = block }
            return blocks.compactMap { $0 }
        }
    }

    /// Generates one job, resuming from `checkpoint` when given and pausing at the next sampler
    /// step once `pause` is raised: step-level preemption with exact resume. A run paused and
    /// resumed (on this or a fresh instance, on any device) streams exactly the frames of an
    /// uninterrupted run.
    ///
    /// - Returns: ``GenerationOutcome/finished``, or ``GenerationOutcome/paused(_:)`` with the
    ///   checkpoint to resume from.
    /// - Throws: ``ModelError`` when not loaded or the checkpoint does not fit; `CancellationError`.
    public func generate(
        _ job: GenerationJob, index: Int = 0, resumingFrom checkpoint: VideoCheckpoint?, pause: PauseSignal,
        progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void
    ) async throws -> GenerationOutcome {
        guard device.withLock({ $0 }) != nil else {
            throw ModelError(code: "model_not_loaded", message: "load the procedural model on a device before generating")
        }
        try Self.check(job)
        let windows = windows(for: job)
        let windowCount = windows.count
        if let checkpoint, !(0..<windowCount).contains(checkpoint.window) {
            throw ModelError(code: "invalid_checkpoint", message: "the checkpoint's window \(checkpoint.window) is not one of this job's \(windowCount)")
        }
        var decoder = LatentDecoder(
            width: job.width, height: job.height, frameCount: job.frameCount, style: job.style, seed: job.seed
        )
        for (window, latentFrames) in windows.enumerated() {
            let resume = checkpoint?.window == window ? checkpoint?.sampler : nil
            let outcome = try sampleLatents(for: job, latentFrames: latentFrames, resumingFrom: resume, pauseWhen: { _ in pause.isRequested }) { step, steps in
                progress(SamplingProgress(jobIndex: index, window: window, windowCount: windowCount, step: step, steps: steps))
            }
            guard case .finished(let latents) = outcome else {
                if case .paused(let state) = outcome {
                    return .paused(VideoCheckpoint(window: window, sampler: state))
                }
                return .finished
            }
            decoder.receive(latents)
            while true {
                try Task.checkCancellation()
                let start = decoder.nextFrame
                let decoded = decoder.decodeAvailable(limit: configuration.chunkFrames)
                if decoded.isEmpty { break }
                try await frames(FrameChunk(jobIndex: index, firstFrame: start, frames: decoded))
            }
        }
        return .finished
    }

    /// Samples the latent frames `latentFrames` of `job` (no decoding). Used by ``generate`` a
    /// window at a time, and by tests and benchmarks to look at latents directly.
    ///
    /// - Parameter afterStep: called with (finished steps, total steps) after each step.
    /// - Throws: `CancellationError` within one step of cancellation; ``ModelError`` for a bad job.
    public func sampleLatents(
        for job: GenerationJob, latentFrames: Range<Int>, afterStep: (Int, Int) -> Void = { _, _ in }
    ) throws -> LatentBlock {
        try Self.finished(sampleLatents(for: job, latentFrames: latentFrames, resumingFrom: nil, pauseWhen: { _ in false }, afterStep: afterStep))
    }

    /// Samples `latentFrames` of `job` from `checkpoint` (or from noise), pausing after the first
    /// step `pauseWhen` answers true for (it gets the number of finished steps; never after the
    /// last): the primitive of step-level preemption. A run paused at step k and resumed from its
    /// checkpoint yields exactly the latents of an uninterrupted run.
    ///
    /// With `canvas` larger than the job's latents, sampling runs on that canvas (pad-crop, see
    /// ``sampleLatents(for:latentFrames:paddedTo:)``); latents and checkpoints come back cropped.
    ///
    /// - Throws: ``ModelError`` `invalid_checkpoint` when the checkpoint does not fit the job
    ///   (another seed, shape or a step past the end); `CancellationError`.
    public func sampleLatents(
        for job: GenerationJob, latentFrames: Range<Int>, resumingFrom checkpoint: SamplerCheckpoint?, pauseWhen: (Int) -> Bool,
        canvas: (height: Int, width: Int)? = nil, afterStep: (Int, Int) -> Void = { _, _ in }
    ) throws -> SamplingOutcome {
        try Self.check(job)
        let geometry = job.latentGeometry
        let height = max(canvas?.height ?? 0, geometry.height)
        let width = max(canvas?.width ?? 0, geometry.width)
        let padded = height != geometry.height || width != geometry.width
        let loop = samplingLoop(for: job)
        let noise = GaussianNoise(seed: job.seed)
        var (x, startStep) = try Self.start(of: job, latentFrames: latentFrames, loop: loop, from: checkpoint)
        struct Pause: Error {
            let nextStep: Int
        }
        // Noise is drawn on the job's own shape and placed on the canvas, so padding changes no value.
        let own = padded ? x.zeroed() : nil
        x = x.padded(toHeight: height, width: width)
        let clean = cleanLatent(for: job, latentFrames: latentFrames).padded(toHeight: height, width: width)
        do {
            try loop.run(
                &x, denoiser: ProceduralDenoiser(clean: clean, valid: (geometry.height, geometry.width)), startStep: startStep,
                stepNoise: { step, block in
                    guard var drawn = own else { return noise.fill(&block, stream: UInt64(step) + 1) }
                    noise.fill(&drawn, stream: UInt64(step) + 1)
                    block = drawn.padded(toHeight: height, width: width)
                },
                afterStep: { step in
                    afterStep(step + 1, loop.steps)
                    if step + 1 < loop.steps, pauseWhen(step + 1) { throw Pause(nextStep: step + 1) }
                }
            )
        } catch let pause as Pause {
            // `x` holds the latent after the paused step (inout is written back on throw).
            let latents = x.cropped(toHeight: geometry.height, width: geometry.width)
            return .paused(SamplerCheckpoint(nextStep: pause.nextStep, seed: job.seed, latents: latents))
        }
        return .finished(x.cropped(toHeight: geometry.height, width: geometry.width))
    }

    /// Samples `latentFrames` of `job` on a canvas padded to `height × width` latents — the
    /// largest of a batch whose sizes share a bucket — and crops the result back (pad-crop). The
    /// denoiser's frame statistics cover only the job's own region and every other operation is
    /// per value, so the crop is bit-identical to sampling the job alone; the padding costs the
    /// work a stacked batch tensor would.
    public func sampleLatents(for job: GenerationJob, latentFrames: Range<Int>, paddedTo size: (height: Int, width: Int)) throws -> LatentBlock {
        try Self.finished(sampleLatents(for: job, latentFrames: latentFrames, resumingFrom: nil, pauseWhen: { _ in false }, canvas: size))
    }

    /// The sampling loop of `job`: its sampler (`auto` resolved), guidance and step count.
    public func samplingLoop(for job: GenerationJob) -> SamplingLoop {
        SamplingLoop(
            sampler: job.sampler.makeSampler(preferred: Self.preferredSampler),
            guidance: ClassifierFreeGuidance(scale: job.cfgScale),
            schedule: schedule, steps: job.steps
        )
    }

    /// Where a window's sampling starts (``WindowStart``).
    static func start(
        of job: GenerationJob, latentFrames: Range<Int>, loop: SamplingLoop, from checkpoint: SamplerCheckpoint?
    ) throws -> (latents: LatentBlock, step: Int) {
        try WindowStart.latent(of: job, latentFrames: latentFrames, loop: loop, from: checkpoint)
    }

    private static func finished(_ outcome: SamplingOutcome) throws -> LatentBlock {
        guard case .finished(let latents) = outcome else {
            throw ModelError(code: "invalid_job", message: "sampling paused without being asked to")
        }
        return latents
    }

    /// The clean latent the scene renderer draws for `latentFrames` of `job` (conditional branch).
    public func cleanLatent(for job: GenerationJob, latentFrames: Range<Int>) -> LatentBlock {
        let geometry = job.latentGeometry
        var block = LatentBlock(firstFrame: latentFrames.lowerBound, frameCount: latentFrames.count, height: geometry.height, width: geometry.width)
        let scene = SceneDescription(prompt: job.prompt, style: job.style, seed: job.seed, reference: job.reference)
        SceneRenderer(scene: scene, fps: job.fps).render(into: &block)
        return block
    }

    /// The latent a perfect sampler would reach for `latentFrames` of `job`: the clean latent
    /// with `job`'s guidance applied. Tests measure convergence against it.
    public func guidedTarget(for job: GenerationJob, latentFrames: Range<Int>) -> LatentBlock {
        ProceduralDenoiser.guidedTarget(clean: cleanLatent(for: job, latentFrames: latentFrames), guidanceScale: job.cfgScale)
    }

    static func check(_ job: GenerationJob) throws {
        guard job.width > 0, job.height > 0, job.frameCount > 0, job.fps > 0, job.steps > 0,
              job.cfgScale.isFinite, job.cfgScale >= 1
        else {
            throw ModelError(code: "invalid_job", message: "job needs positive size, frames, fps and steps and a guidance scale ≥ 1")
        }
    }
}
