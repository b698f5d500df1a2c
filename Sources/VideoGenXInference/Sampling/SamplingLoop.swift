/// The sampling loop shared by every model: for each σ, ask the denoiser for both guidance
/// branches, combine them, and let the sampler step. Cancellation is checked before every step.
public struct SamplingLoop: Sendable {
    /// The update rule.
    public let sampler: any DiffusionSampler
    /// Classifier-free guidance.
    public let guidance: ClassifierFreeGuidance
    /// `steps + 1` noise levels, noisiest first, ending at 0.
    public let sigmas: [Float]

    /// A loop of `steps` steps of `sampler` over `schedule`.
    public init(sampler: any DiffusionSampler, guidance: ClassifierFreeGuidance, schedule: NoiseSchedule, steps: Int) {
        self.sampler = sampler
        self.guidance = guidance
        self.sigmas = schedule.sigmas(steps: steps, spacing: sampler.spacing)
    }

    /// Number of sampler steps.
    public var steps: Int { sigmas.count - 1 }

    /// Noise level of the starting latent: initial noise is standard normal times this.
    public var initialSigma: Float { sigmas[0] }

    /// Runs steps `startStep ..< steps` on `x`.
    ///
    /// - Parameters:
    ///   - x: the latent, pure noise at `initialSigma` when `startStep` is 0, or a checkpoint.
    ///   - denoiser: the model's denoiser.
    ///   - startStep: first step to run (a resumed checkpoint starts later). Default 0.
    ///   - stepNoise: fills a block with standard normal noise for a step (seeded per step, so a
    ///     resumed run draws the same noise as an uninterrupted one).
    ///   - afterStep: called with the index of each finished step; may throw to stop.
    /// - Throws: `CancellationError` when the task is cancelled (checked before each step), or
    ///   whatever the denoiser or `afterStep` throw.
    public func run<D: Denoiser>(
        _ x: inout LatentBlock,
        denoiser: D,
        startStep: Int = 0,
        stepNoise: (Int, inout LatentBlock) -> Void,
        afterStep: (Int) throws -> Void
    ) throws {
        var scratch = Scratch(like: x, loop: self)
        for step in startStep..<steps {
            try Task.checkCancellation()
            try self.step(step, &x, denoiser: denoiser, scratch: &scratch, stepNoise: stepNoise)
            try afterStep(step)
        }
    }

    /// The buffers one step works in, kept between steps so stepping allocates nothing.
    public struct Scratch: Sendable {
        var conditional: LatentBlock
        var unconditional: LatentBlock
        var noise: LatentBlock

        /// Buffers for latents shaped like `x` under `loop`'s guidance and sampler.
        public init(like x: LatentBlock, loop: SamplingLoop) {
            conditional = x.zeroed()
            unconditional = loop.guidance.needsUnconditional ? x.zeroed() : LatentBlock(firstFrame: 0, frameCount: 0, height: 0, width: 0)
            noise = loop.sampler.needsStepNoise ? x.zeroed() : LatentBlock(firstFrame: 0, frameCount: 0, height: 0, width: 0)
        }
    }

    /// Runs sampler step `step` on `x`: both guidance branches, combined, then the update. What
    /// ``run(_:denoiser:startStep:stepNoise:afterStep:)`` does once per step; a continuous batch
    /// calls it a step at a time for each of its jobs.
    /// - Throws: whatever the denoiser throws.
    public func step<D: Denoiser>(
        _ step: Int, _ x: inout LatentBlock, denoiser: D, scratch: inout Scratch, stepNoise: (Int, inout LatentBlock) -> Void
    ) throws {
        let sigma = sigmas[step]
        if guidance.needsUnconditional {
            try denoiser.predictBoth(x, sigma: sigma, conditional: &scratch.conditional, unconditional: &scratch.unconditional)
            guidance.combine(conditional: &scratch.conditional, unconditional: scratch.unconditional)
        } else {
            try denoiser.predictClean(x, sigma: sigma, branch: .conditional, into: &scratch.conditional)
        }
        let wantsNoise = sampler.needsStepNoise
        if wantsNoise {
            stepNoise(step, &scratch.noise)
        }
        sampler.step(&x, denoised: scratch.conditional, sigma: sigma, nextSigma: sigmas[step + 1], noise: wantsNoise ? scratch.noise : nil)
    }
}
