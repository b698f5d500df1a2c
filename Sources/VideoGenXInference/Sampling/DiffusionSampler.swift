import VideoGenXCore

/// One update rule of a diffusion sampler: moves a latent from noise level σ to the next one,
/// given the denoiser's (guided) clean prediction. The loop around it is ``SamplingLoop``.
public protocol DiffusionSampler: Sendable {
    /// The API name of the sampler (`euler`, `euler_a`, `ddim`).
    var name: String { get }
    /// Which timesteps of the training schedule this sampler visits.
    var spacing: TimestepSpacing { get }
    /// Whether ``step(_:denoised:sigma:nextSigma:noise:)`` needs fresh Gaussian noise.
    var needsStepNoise: Bool { get }

    /// Advances `x` from `sigma` to `nextSigma`.
    ///
    /// - Parameters:
    ///   - x: the latent, updated in place.
    ///   - denoised: the guided clean prediction at `sigma`.
    ///   - sigma: current noise level (> 0).
    ///   - nextSigma: next noise level (≥ 0; 0 on the last step).
    ///   - noise: standard normal noise of the same shape when ``needsStepNoise``, else `nil`.
    func step(_ x: inout LatentBlock, denoised: LatentBlock, sigma: Float, nextSigma: Float, noise: LatentBlock?)
}

extension SamplerChoice {
    /// The sampler for this choice; `auto` resolves to `preferred`.
    public func makeSampler(preferred: SamplerChoice = .euler) -> any DiffusionSampler {
        switch self {
        case .euler: EulerSampler()
        case .eulerAncestral: EulerAncestralSampler()
        case .ddim: DDIMSampler()
        case .auto: preferred == .auto ? EulerSampler() : preferred.makeSampler()
        }
    }
}
