/// The discrete noise schedule of a latent diffusion model, expressed as noise levels σ.
///
/// Training uses `trainingSteps` timesteps with "scaled linear" βs (Stable Diffusion's
/// 0.00085 → 0.012 over 1000 steps); σₜ = √((1 − ᾱₜ) / ᾱₜ). A sampler walks a subset of these
/// levels, picked by a ``TimestepSpacing``, from the noisiest down to 0.
public struct NoiseSchedule: Sendable, Hashable {
    /// σ for every training timestep, increasing with the timestep.
    public let trainingSigmas: [Float]

    /// Builds the scaled-linear schedule.
    ///
    /// - Parameters:
    ///   - trainingSteps: number of training timesteps (default 1000).
    ///   - betaStart: β at timestep 0 (default 0.00085).
    ///   - betaEnd: β at the last timestep (default 0.012).
    public init(trainingSteps: Int = 1000, betaStart: Double = 0.00085, betaEnd: Double = 0.012) {
        precondition(trainingSteps >= 2, "a noise schedule needs at least two timesteps")
        let a = betaStart.squareRoot()
        let b = betaEnd.squareRoot()
        var cumulative = 1.0
        var sigmas: [Float] = []
        sigmas.reserveCapacity(trainingSteps)
        for t in 0..<trainingSteps {
            let root = a + (b - a) * Double(t) / Double(trainingSteps - 1)
            cumulative *= 1 - root * root
            sigmas.append(Float(((1 - cumulative) / cumulative).squareRoot()))
        }
        trainingSigmas = sigmas
    }

    /// Largest noise level of the schedule.
    public var maximumSigma: Float { trainingSigmas[trainingSigmas.count - 1] }

    /// The timesteps a sampler with `steps` steps visits, noisiest first.
    public func timesteps(steps: Int, spacing: TimestepSpacing) -> [Int] {
        let total = trainingSigmas.count
        let n = max(1, min(steps, total))
        switch spacing {
        case .trailing:
            // round(arange(T, 0, -T/n)) - 1: always starts at the last timestep.
            let stride = Double(total) / Double(n)
            return (0..<n).map { i in
                max(0, Int((Double(total) - Double(i) * stride).rounded()) - 1)
            }
        case .leading:
            // arange(0, n) * (T / n), reversed, + 1: DDIM's grid with steps_offset = 1.
            let stride = total / n
            return (0..<n).reversed().map { min(total - 1, $0 * stride + 1) }
        }
    }

    /// The σ levels for a sampler with `steps` steps: `steps + 1` values, noisiest first, ending at 0.
    public func sigmas(steps: Int, spacing: TimestepSpacing) -> [Float] {
        timesteps(steps: steps, spacing: spacing).map { trainingSigmas[$0] } + [0]
    }
}

/// How a sampler chooses its timesteps among the training timesteps.
public enum TimestepSpacing: Sendable, Hashable {
    /// Evenly spaced, anchored at the noisiest timestep (used by Euler and Euler ancestral).
    case trailing
    /// Evenly spaced, anchored at timestep 1 (DDIM's original grid).
    case leading
}
