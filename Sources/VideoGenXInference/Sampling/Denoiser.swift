/// A network (or an analytic stand-in) that predicts the clean latent from a noisy one.
///
/// Samplers are generic over this protocol, so every model (procedural, ONNX, remote) reuses the
/// same sampling code. The prediction is "x̂₀" in the variance-exploding parameterisation:
/// `x = x₀ + σ·ε`.
public protocol Denoiser {
    /// Writes the predicted clean latent for `noisy` at noise level `sigma` into `prediction`.
    ///
    /// - Parameters:
    ///   - noisy: the current latent block.
    ///   - sigma: its noise level.
    ///   - branch: conditional (with the prompt) or unconditional, for classifier-free guidance.
    ///   - prediction: a block of the same shape, overwritten with the prediction.
    func predictClean(
        _ noisy: LatentBlock, sigma: Float, branch: GuidanceBranch, into prediction: inout LatentBlock
    ) throws
}

/// Which of the two classifier-free-guidance branches a denoiser call evaluates.
public enum GuidanceBranch: Sendable, Hashable {
    /// Conditioned on the prompt.
    case conditional
    /// Conditioned on the empty prompt.
    case unconditional
}
