/// The diffusion sampler a request asks for; `auto` lets the model pick its preferred one.
public enum SamplerChoice: String, CaseIterable, Sendable, Codable {
    /// First-order Euler on the probability-flow ODE (deterministic).
    case euler
    /// Euler ancestral: Euler plus fresh noise each step (stochastic but seeded).
    case eulerAncestral = "euler_a"
    /// DDIM with η = 0 (deterministic) on its own timestep grid.
    case ddim
    /// The model's preferred sampler. The default.
    case auto
}
