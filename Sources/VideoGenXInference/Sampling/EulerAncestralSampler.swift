/// Euler ancestral (η = 1): an Euler step down to σ_down, then fresh noise of σ_up, with
/// `σ_up = min(σₙ, √(σₙ²(σ² − σₙ²)/σ²))` and `σ_down = √(σₙ² − σ_up²)`.
public struct EulerAncestralSampler: DiffusionSampler {
    /// Creates the sampler.
    public init() {}

    /// `euler_a`.
    public var name: String { "euler_a" }
    /// Trailing timestep spacing.
    public var spacing: TimestepSpacing { .trailing }
    /// Stochastic: needs step noise (seeded by the model, so runs stay reproducible).
    public var needsStepNoise: Bool { true }

    /// One ancestral step.
    public func step(_ x: inout LatentBlock, denoised: LatentBlock, sigma: Float, nextSigma: Float, noise: LatentBlock?) {
        let up = min(nextSigma, (nextSigma * nextSigma * (sigma * sigma - nextSigma * nextSigma) / (sigma * sigma)).squareRoot())
        let down = max(0, nextSigma * nextSigma - up * up).squareRoot()
        let keep = down / sigma
        x.values.withUnsafeMutableBufferPointer { xs in
            denoised.values.withUnsafeBufferPointer { ds in
                for i in xs.indices {
                    xs[i] = ds[i] + (xs[i] - ds[i]) * keep
                }
            }
        }
        guard up > 0, let noise else { return }
        x.values.withUnsafeMutableBufferPointer { xs in
            noise.values.withUnsafeBufferPointer { ns in
                for i in xs.indices {
                    xs[i] += ns[i] * up
                }
            }
        }
    }
}
