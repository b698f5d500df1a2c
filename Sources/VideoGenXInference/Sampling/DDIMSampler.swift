/// DDIM with η = 0, written in σ-space: `x ← x̂₀ + σₙ · ε̂` with `ε̂ = (x − x̂₀)/σ`.
///
/// With the same σ grid this update equals Euler's (Karras et al. 2022, §3); DDIM differs by its
/// grid, the "leading" timesteps with offset 1 of the original paper and Diffusers' scheduler.
public struct DDIMSampler: DiffusionSampler {
    /// Creates the sampler.
    public init() {}

    /// `ddim`.
    public var name: String { "ddim" }
    /// Leading timestep spacing.
    public var spacing: TimestepSpacing { .leading }
    /// Deterministic: no step noise.
    public var needsStepNoise: Bool { false }

    /// One DDIM step.
    public func step(_ x: inout LatentBlock, denoised: LatentBlock, sigma: Float, nextSigma: Float, noise: LatentBlock?) {
        let ratio = nextSigma / sigma
        x.values.withUnsafeMutableBufferPointer { xs in
            denoised.values.withUnsafeBufferPointer { ds in
                for i in xs.indices {
                    let epsilon = xs[i] - ds[i]
                    xs[i] = ds[i] + epsilon * ratio
                }
            }
        }
    }
}
