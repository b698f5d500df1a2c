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

    /// Maps one row of interpolated latent pixels (`[channel][x]`, 4 channels) to packed RGB bytes:
    /// colour channels to 0–255 plus the style's texture scaled by the detail channel.
    func shade(
        _ pixels: UnsafeMutableBufferPointer<Float>, width: Int, y: Int, frame: Int,
        into out: UnsafeMutableBufferPointer<UInt8>
    ) {
        let red = 0
        let green = width
        let blue = 2 * width
        let detail = 3 * width
        // Texture offset per pixel, weighted by the detail amplitude, written over the detail channel.
        switch style {
        case .natural:
            let rowSeed = (UInt32(truncatingIfNeeded: y) &* 0x85EB_CA77) ^ (UInt32(truncatingIfNeeded: frame) &* 0xC2B2_AE3D) ^ seedBits
            for x in 0..<width {
                var h = (UInt32(truncatingIfNeeded: x) &* 0x9E37_79B1) ^ rowSeed
                h = (h ^ (h >> 15)) &* 0x2C1B_3C6D
                h ^= h >> 12
                let grain = (Float(h & 0xFFFF) * (1 / 32768) - 1) * 14
                pixels[detail + x] = grain * Self.amplitude(pixels[detail + x])
            }
        case .tech:
            let gridRow = y & 31 == 0
            let scan: Float = y & 1 == 0 ? 6 : -6
            for x in 0..<width {
                let level: Float = gridRow || x & 31 == 0 ? 55 : scan
                pixels[detail + x] = level * Self.amplitude(pixels[detail + x])
            }
        case .art:
            waves.withUnsafeBufferPointer { waves in
                for x in 0..<width {
                    let stroke = waves[(x + y / 2 + frame) & 255] * waves[(y * 3 - x / 3 + 4096) & 255] * 40
                    pixels[detail + x] = stroke * Self.amplitude(pixels[detail + x])
                }
            }
        case .cartoon:
            for x in 0..<width {
                pixels[detail + x] = 0
            }
        }
        let posterise = style == .cartoon
        var o = 0
        for x in 0..<width {
            let offset = pixels[detail + x]
            out[o] = Self.byte((pixels[red + x] + 1) * 127.5 + offset, posterise: posterise)
            out[o + 1] = Self.byte((pixels[green + x] + 1) * 127.5 + offset, posterise: posterise)
            out[o + 2] = Self.byte((pixels[blue + x] + 1) * 127.5 + offset, posterise: posterise)
            o += 3
        }
    }

    /// Detail channel (−1…1) to texture amplitude (0–1).
    @inline(__always)
    private static func amplitude(_ detail: Float) -> Float {
        min(max((detail + 1) * 0.5, 0), 1)
    }

    /// A level to a byte, rounded and clamped; posterised to steps of 36 for cartoon.
    @inline(__always)
    private static func byte(_ level: Float, posterise: Bool) -> UInt8 {
        let clamped = min(max(level, 0), 255)
        if posterise {
            return UInt8(min((clamped / 36).rounded() * 36, 255))
        }
        return UInt8(min(clamped + 0.5, 255))
    }
}
