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

    /// Both guidance branches for `noisy` at `sigma`. A network evaluates them as one batch of
    /// two; the default asks ``predictClean(_:sigma:branch:into:)`` twice, conditional first.
    func predictBoth(
        _ noisy: LatentBlock, sigma: Float, conditional: inout LatentBlock, unconditional: inout LatentBlock
    ) throws
}

extension Denoiser {
    /// Two calls of ``predictClean(_:sigma:branch:into:)``, conditional first.
    public func predictBoth(
        _ noisy: LatentBlock, sigma: Float, conditional: inout LatentBlock, unconditional: inout LatentBlock
    ) throws {
        try predictClean(noisy, sigma: sigma, branch: .conditional, into: &conditional)
        try predictClean(noisy, sigma: sigma, branch: .unconditional, into: &unconditional)
    }
}

/// Which of the two classifier-free-guidance branches a denoiser call evaluates.
public enum GuidanceBranch: Sendable, Hashable {
    /// Conditioned on the prompt.
    case conditional
    /// Conditioned on the empty prompt.
    case unconditional
}
