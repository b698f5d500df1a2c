import Foundation
import VideoGenXCore

/// The pixel-level texture a style paints where the latent detail channel is high: film grain
/// (natural), a grid with scanlines (tech), brush strokes (art), or flat posterised colour
/// (cartoon). Cheap per pixel: integer hashes and table look-ups only.
struct StyleTexture: Sendable {
    /// The style.
    let style: VideoStyle
    private let seedBits: UInt32
    private let waves: [Float]

    /// The texture of `style`; the grain pattern follows `seed`.
    init(style: VideoStyle, seed: UInt64) {
        self.style = style
        seedBits = UInt32(truncatingIfNeeded: seed ^ (seed >> 32))
        waves = (0..<256).map { Float(Foundation.sin(Double($0) * 2 * Double.pi / 256)) }
    }

    /// Texture offset in 8-bit levels at a pixel of a frame, before amplitude.
    @inline(__always)
    func value(x: Int, y: Int, frame: Int) -> Float {
        switch style {
        case .natural:
            var h = UInt32(truncatingIfNeeded: x) &* 0x9E37_79B1
            h ^= UInt32(truncatingIfNeeded: y) &* 0x85EB_CA77
            h ^= UInt32(truncatingIfNeeded: frame) &* 0xC2B2_AE3D
            h ^= seedBits
            h = (h ^ (h >> 15)) &* 0x2C1B_3C6D
            h ^= h >> 12
            return (Float(h & 0xFFFF) / 32768 - 1) * 14
        case .tech:
            if x & 31 == 0 || y & 31 == 0 { return 55 }
            return y & 1 == 0 ? 6 : -6
        case .art:
            let a = waves[(x + y / 2 + frame) & 255]
            let b = waves[(y * 3 - x / 3 + 4096) & 255]
            return a * b * 40
        case .cartoon:
            return 0
        }
    }

    /// Clamps a level to a byte; cartoon posterises to 8 levels per channel.
    @inline(__always)
    func finish(_ level: Float) -> UInt8 {
        let clamped = min(max(level, 0), 255)
        if style == .cartoon {
            return UInt8((clamped / 36).rounded() * 36 + 0.5 > 255 ? 255 : (clamped / 36).rounded() * 36)
        }
        return UInt8(clamped + 0.5 > 255 ? 255 : clamped + 0.5)
    }
}
