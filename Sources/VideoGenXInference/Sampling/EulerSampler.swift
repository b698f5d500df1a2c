/// First-order Euler on the probability-flow ODE: `x += (x − x̂₀)/σ · (σₙ − σ)`.
public struct EulerSampler: DiffusionSampler {
    /// Creates the sampler.
    public init() {}

    /// `euler`.
    public var name: String { "euler" }
    /// Trailing timestep spacing.
    public var spacing: TimestepSpacing { .trailing }
    /// Deterministic: no step noise.
    public var needsStepNoise: Bool { false }

    /// One Euler step.
    public func step(_ x: inout LatentBlock, denoised: LatentBlock, sigma: Float, nextSigma: Float, noise: LatentBlock?) {
        let dt = nextSigma - sigma
        let inverseSigma = 1 / sigma
        x.values.withUnsafeMutableBufferPointer { xs in
            denoised.values.withUnsafeBufferPointer { ds in
                for i in xs.indices {
                    let derivative = (xs[i] - ds[i]) * inverseSigma
                    xs[i] += derivative * dt
                }
            }
        }
    }
}
