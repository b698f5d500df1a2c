import Foundation

/// Counter-based, reproducible standard normal noise: the values for (seed, stream, frame) are
/// always the same, whatever order or window size they are drawn in. This is what makes chunked
/// sampling, batching and resumption produce the same bytes as one uninterrupted run.
public struct GaussianNoise: Sendable, Hashable {
    /// The generation seed.
    public let seed: UInt64

    /// Noise for `seed`.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// Fills every frame of `block` with N(0, 1) noise of `stream` (0: initial latent; k + 1:
    /// ancestral noise of step k), each latent frame drawn from its own counter.
    public func fill(_ block: inout LatentBlock, stream: UInt64) {
        let perFrame = block.valuesPerFrame
        let first = block.firstFrame
        block.values.withUnsafeMutableBufferPointer { values in
            for f in 0..<block.frameCount {
                var rng = SplitMix64(seed: SplitMix64.mix(seed, stream, UInt64(first + f)))
                let base = f * perFrame
                var i = 0
                while i < perFrame {
                    // Box–Muller: two independent normals from two uniforms in (0, 1].
                    let u1 = max(rng.nextUnitFloat(), Float.leastNormalMagnitude)
                    let u2 = rng.nextUnitFloat()
                    let radius = (-2 * Foundation.log(u1)).squareRoot()
                    let angle = 2 * Float.pi * u2
                    values[base + i] = radius * Foundation.cos(angle)
                    if i + 1 < perFrame {
                        values[base + i + 1] = radius * Foundation.sin(angle)
                    }
                    i += 2
                }
            }
        }
    }
}
