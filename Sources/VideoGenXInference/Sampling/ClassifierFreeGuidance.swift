/// Classifier-free guidance: `uncond + scale · (cond − uncond)`.
///
/// A scale of 1 is the plain conditional prediction and skips the unconditional pass, as real
/// pipelines do.
public struct ClassifierFreeGuidance: Sendable, Hashable {
    /// The guidance scale (1–20 on the API, default 7.5).
    public var scale: Float

    /// Creates guidance with the given scale.
    public init(scale: Float) {
        self.scale = scale
    }

    /// Whether the unconditional branch must be evaluated at all.
    public var needsUnconditional: Bool { scale != 1 }

    /// Combines the two predictions in place: `conditional` becomes the guided prediction.
    public func combine(conditional: inout LatentBlock, unconditional: LatentBlock) {
        let w = scale
        conditional.values.withUnsafeMutableBufferPointer { c in
            unconditional.values.withUnsafeBufferPointer { u in
                for i in c.indices {
                    c[i] = u[i] + w * (c[i] - u[i])
                }
            }
        }
    }
}
