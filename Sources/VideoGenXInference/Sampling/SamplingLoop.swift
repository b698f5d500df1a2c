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
        var conditional = x.zeroed()
        var unconditional = guidance.needsUnconditional ? x.zeroed() : conditional
        let wantsNoise = sampler.needsStepNoise
        var noise = wantsNoise ? x.zeroed() : LatentBlock(firstFrame: 0, frameCount: 0, height: 0, width: 0)
        for step in startStep..<steps {
            try Task.checkCancellation()
            let sigma = sigmas[step]
            try denoiser.predictClean(x, sigma: sigma, branch: .conditional, into: &conditional)
            if guidance.needsUnconditional {
                try denoiser.predictClean(x, sigma: sigma, branch: .unconditional, into: &unconditional)
                guidance.combine(conditional: &conditional, unconditional: unconditional)
            }
            if wantsNoise {
                stepNoise(step, &noise)
            }
            sampler.step(
                &x, denoised: conditional, sigma: sigma, nextSigma: sigmas[step + 1], noise: wantsNoise ? noise : nil
            )
            try afterStep(step)
        }
    }
}
