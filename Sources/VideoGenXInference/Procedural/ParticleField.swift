import Foundation

/// Falling or twinkling particles (snow, rain, stars), splatted into the latent a particle at a
/// time so their cost does not grow with resolution.
struct ParticleField: Sendable {
    /// The kind of particle.
    var kind: ParticleKind
    /// Start positions (fractions of width and height).
    var positions: [SIMD2<Float>]
    /// Per-particle speed factors.
    var speeds: [Float]

    /// A seeded field of `kind`.
    init(kind: ParticleKind, rng: inout SplitMix64) {
        self.kind = kind
        let count = kind == .stars ? 70 : 110
        positions = (0..<count).map { _ in [rng.nextUnitFloat(), rng.nextUnitFloat()] }
        speeds = (0..<count).map { _ in rng.nextFloat(in: 0.6...1.4) }
    }

    /// Colour and detail of a particle.
    var appearance: (colour: SIMD3<Float>, detail: Float, strength: Float) {
        switch kind {
        case .snow: ([0.75, 0.75, 0.75], 0.8, 0.9)
        case .rain: ([0.1, 0.2, 0.35], 0.4, 0.6)
        case .stars: ([0.7, 0.7, 0.6], 0.9, 0.8)
        }
    }

    /// Where particle `index` is at `time` seconds, and how bright (stars twinkle).
    func state(of index: Int, at time: Float) -> (position: SIMD2<Float>, brightness: Float) {
        let p = positions[index]
        let s = speeds[index]
        switch kind {
        case .snow:
            let y = (p.y + 0.08 * s * time).truncatingRemainder(dividingBy: 1)
            let x = p.x + 0.015 * Foundation.sin(time * 1.3 * s + p.y * 20)
            return ([x, y], 1)
        case .rain:
            return ([wrap(p.x - 0.05 * time * s), (p.y + 0.9 * s * time).truncatingRemainder(dividingBy: 1)], 1)
        case .stars:
            return (p, 0.6 + 0.4 * Foundation.sin(time * 3 * s + p.x * 40))
        }
    }
}
