import Foundation
import Subprocess
import VideoGenXCore

/// Decodes frames and measures audio of encoded videos with ffmpeg, for assertions on what a
/// viewer would see and hear.
enum FirstFrame {
    /// The frame shown at `seconds` (default the first), as RGB.
    static func decode(_ path: String, width: Int, height: Int, at seconds: Double = 0) async throws -> RGBFrame {
        let result = try await run(
            .name("ffmpeg"),
            arguments: Arguments(["-v", "error", "-ss", String(seconds), "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]),
            output: .bytes(limit: width * height * 3 + 1)
        )
        return RGBFrame(width: width, height: height, bytes: result.standardOutput)
    }

    /// ffmpeg `volumedetect`'s mean volume of the audio in dB.
    static func meanVolume(_ path: String) async throws -> Double? {
        let result = try await run(
            .name("ffmpeg"), arguments: ["-hide_banner", "-i", path, "-af", "volumedetect", "-vn", "-f", "null", "-"],
            output: .discarded, error: .string(limit: 1 << 20)
        )
        let text = result.standardError
        guard let range = text.range(of: "mean_volume: ") else { return nil }
        return Double(text[range.upperBound...].prefix { $0 != " " })
    }
}

extension RGBFrame {
    /// Mean absolute channel difference to `other` inside the pixel rectangle `region`.
    func meanDifference(to other: RGBFrame, in region: (x: Range<Int>, y: Range<Int>)) -> Double {
        var total = 0
        var count = 0
        for y in region.y {
            for x in region.x {
                let i = (y * width + x) * 3
                for c in 0..<3 {
                    total += abs(Int(bytes[i + c]) - Int(other.bytes[i + c]))
                }
                count += 3
            }
        }
        return count == 0 ? 0 : Double(total) / Double(count)
    }

    /// Mean luma (BT.601) and mean chroma spread (max − min channel) over the frame.
    var lumaAndSpread: (luma: Double, spread: Double, deviation: Double) {
        var luma = 0.0
        var spread = 0.0
        var lumas: [Double] = []
        lumas.reserveCapacity(width * height)
        for i in stride(from: 0, to: bytes.count, by: 3) {
            let r = Double(bytes[i]), g = Double(bytes[i + 1]), b = Double(bytes[i + 2])
            let y = 0.299 * r + 0.587 * g + 0.114 * b
            luma += y
            lumas.append(y)
            spread += max(r, g, b) - min(r, g, b)
        }
        let n = Double(max(1, bytes.count / 3))
        let mean = luma / n
        let variance = lumas.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        return (mean, spread / n, variance.squareRoot())
    }
}
