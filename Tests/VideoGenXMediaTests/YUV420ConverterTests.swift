import Foundation
import Subprocess
import Testing
import VideoGenXCore
@testable import VideoGenXMedia

/// The encoder's own RGB → yuv420p conversion against ffmpeg's conversion of the same pixels.
@Suite("yuv420p conversion", .timeLimit(.minutes(1)))
struct YUV420ConverterTests {
    /// A smooth frame (what models produce): gradients and slow waves in every channel.
    static func smooth(width: Int, height: Int, phase: Double = 0) -> RGBFrame {
        var frame = RGBFrame(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                frame.bytes[i] = UInt8(max(0, min(255, 128 + 120 * sin(6 * fx + phase))))
                frame.bytes[i + 1] = UInt8(max(0, min(255, 255 * fy)))
                frame.bytes[i + 2] = UInt8(max(0, min(255, 128 + 120 * cos(5 * fy + 3 * fx))))
            }
        }
        return frame
    }

    /// ffmpeg's yuv420p of `frame` (BT.709, limited range), through a temporary file.
    static func ffmpegYUV(_ frame: RGBFrame, filter: String) async throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-yuv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.rgb")
        let output = directory.appendingPathComponent("out.yuv")
        try Data(frame.bytes).write(to: input)
        let result = try await Subprocess.run(
            .name("ffmpeg"),
            arguments: ["-hide_banner", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(frame.width)x\(frame.height)", "-i", input.path,
                        "-vf", filter, "-pix_fmt", "yuv420p", "-f", "rawvideo", "-y", output.path],
            output: .discarded, error: .string(limit: 4096)
        )
        #expect(result.terminationStatus.isSuccess, "\(result.standardError)")
        return Array(try Data(contentsOf: output))
    }

    /// Largest difference per plane and the share of samples that differ at all.
    static func compare(_ ours: [UInt8], _ theirs: [UInt8], width: Int, height: Int) -> [(plane: String, maximum: Int, differing: Double)] {
        let luma = width * height
        let chroma = ((width + 1) / 2) * ((height + 1) / 2)
        let planes = [("Y", 0..<luma), ("U", luma..<luma + chroma), ("V", luma + chroma..<luma + 2 * chroma)]
        return planes.map { name, range in
            var maximum = 0
            var differing = 0
            for i in range {
                let d = abs(Int(ours[i]) - Int(theirs[i]))
                maximum = max(maximum, d)
                if d > 0 { differing += 1 }
            }
            return (name, maximum, Double(differing) / Double(range.count))
        }
    }

    @Test("Planes of a smooth 1280×720 frame are within ±1 of ffmpeg's own conversion (BT.709, limited range); luma is within ±1 on sharp content too")
    func matchesFFmpeg() async throws {
        let filter = "scale=out_color_matrix=bt709:out_range=tv"
        let frame = Self.smooth(width: 1280, height: 720)
        let ours = YUV420Converter().convert(frame)
        #expect(ours.count == YUV420Converter.byteCount(width: 1280, height: 720))
        for plane in Self.compare(ours, try await Self.ffmpegYUV(frame, filter: filter), width: 1280, height: 720) {
            #expect(plane.maximum <= 1, "\(plane)")
        }
        // Hard edges: chroma filters differ (ours averages 2×2, swscale interpolates), luma does not.
        var sharp = RGBFrame(width: 64, height: 32)
        for i in 0..<sharp.bytes.count { sharp.bytes[i] = UInt8(truncatingIfNeeded: (i * 7919) >> 3) }
        let luma = Self.compare(YUV420Converter().convert(sharp), try await Self.ffmpegYUV(sharp, filter: filter), width: 64, height: 32)[0]
        #expect(luma.maximum <= 1, "\(luma)")
    }

    @Test("Grey stays grey: R = G = B gives Cb = Cr = 128 and Y = 16 + 219 × level / 255; odd sizes fill every plane")
    func greyAndOddSizes() {
        for level in [0, 1, 77, 128, 254, 255] {
            let frame = RGBFrame(width: 4, height: 2, bytes: [UInt8](repeating: UInt8(level), count: 24))
            let yuv = YUV420Converter().convert(frame)
            let expectedY = UInt8((16 + 219 * Double(level) / 255).rounded())
            #expect(yuv[0..<8].allSatisfy { $0 == expectedY }, "level \(level): \(yuv[0..<8])")
            #expect(yuv[8...].allSatisfy { $0 == 128 }, "level \(level): \(yuv[8...])")
        }
        let odd = YUV420Converter().convert(Self.smooth(width: 5, height: 3))
        #expect(odd.count == 15 + 2 * 3 * 2)
    }

    @Test("Converting into a used frame's memory gives a fresh conversion's bytes; memory of another size is replaced")
    func convertsIntoUsedMemory() {
        let converter = YUV420Converter()
        let first = Self.smooth(width: 65, height: 33)
        let second = Self.smooth(width: 65, height: 33, phase: 1.5)
        var buffer = converter.convert(first)
        converter.convert(second, into: &buffer)
        #expect(buffer == converter.convert(second))
        var wrongSize = [UInt8](repeating: 7, count: 10)
        converter.convert(second, into: &wrongSize)
        #expect(wrongSize == converter.convert(second))
    }

    @Test("The AVX2 loop gives the portable loop's bytes: noise and the eight RGB corners, widths around its 32-pixel step, odd sizes")
    func vectorMatchesPortable() {
        var generator = SystemRandomNumberGenerator()
        for (width, height) in [(1920, 18), (1281, 7), (97, 3), (64, 2), (33, 5), (31, 4), (1, 1)] {
            var frame = RGBFrame(width: width, height: height)
            for i in 0..<frame.bytes.count { frame.bytes[i] = UInt8.random(in: 0...255, using: &generator) }
            // The extremes of every channel, in the first 32 pixels of the first row.
            for pixel in 0..<min(32, width) {
                let corner = pixel % 8
                for channel in 0..<3 { frame.bytes[3 * pixel + channel] = corner & (1 << channel) != 0 ? 255 : 0 }
            }
            let vector = YUV420Converter(vectorised: true).convert(frame)
            let portable = YUV420Converter(vectorised: false).convert(frame)
            let firstDifference = zip(vector, portable).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            #expect(vector.count == portable.count && firstDifference == nil, "\(width)x\(height): first difference at byte \(firstDifference ?? -1)")
        }
    }

    @Test("The encoder's output says what its frames are: yuv420p, BT.709, limited range")
    func outputTagged() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-tag-\(UUID().uuidString).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await FFmpegEncoder().encode(format: VideoFormat(width: 320, height: 180, fps: 24), to: path) { writer in
            for n in 0..<3 { try await writer.write(Self.smooth(width: 320, height: 180, phase: Double(n))) }
        }
        let probe = try await Subprocess.run(
            .name("ffprobe"), arguments: ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=pix_fmt,color_range,color_space,color_primaries,color_transfer", "-of", "csv=p=0", path],
            output: .string(limit: 4096), error: .discarded
        )
        #expect(probe.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "yuv420p,tv,bt709,bt709,bt709")
    }
}
