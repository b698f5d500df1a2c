import Foundation
import Testing
import VideoGenXCore
import VideoGenXMedia

/// Real ffmpeg, real files, decoded by ffprobe.
@Suite("FFmpeg encoder", .timeLimit(.minutes(2)))
final class FFmpegEncoderTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A moving gradient, so the encoder has real content.
    static func frame(_ index: Int, width: Int, height: Int) -> RGBFrame {
        var frame = RGBFrame(width: width, height: height)
        frame.bytes.withUnsafeMutableBufferPointer { bytes in
            for y in 0..<height {
                for x in 0..<width {
                    let i = (y * width + x) * 3
                    bytes[i] = UInt8(truncatingIfNeeded: x + index * 4)
                    bytes[i + 1] = UInt8(truncatingIfNeeded: y * 2)
                    bytes[i + 2] = UInt8(truncatingIfNeeded: (x ^ y) + index)
                }
            }
        }
        return frame
    }

    private func encode(_ settings: OutputSettings, format: VideoFormat, frames: Int, name: String) async throws -> (EncodeSummary, String) {
        let path = directory.appendingPathComponent(name).path
        let summary = try await FFmpegEncoder(settings: settings).encode(format: format, to: path) { writer in
            for i in 0..<frames {
                try await writer.write(Self.frame(i, width: format.width, height: format.height))
            }
        }
        return (summary, path)
    }

    @Test("H.265 by default: hevc/hvc1, requested size, fps and duration within one frame")
    func h265Default() async throws {
        let format = VideoFormat(width: 1280, height: 720, fps: 24)
        let (summary, path) = try await encode(OutputSettings(preset: "ultrafast"), format: format, frames: 24, name: "a.mp4")
        #expect(summary.framesWritten == 24)
        #expect(summary.bytes > 0)
        let probe = try await FFprobe().probe(path)
        let video = try #require(probe.video)
        #expect(video.codec == "hevc")
        #expect(video.tag == "hvc1")
        #expect(video.width == 1280 && video.height == 720)
        #expect(video.pixelFormat == "yuv420p")
        #expect(abs((video.fps ?? 0) - 24) < 0.01)
        #expect(video.frameCount == 24)
        #expect(abs(probe.duration - 1.0) <= 1.0 / 24 + 1e-6)
        #expect(probe.formatName.contains("mp4"))
        #expect(probe.streams.count == 1, "no audio stream unless music is asked for")
    }

    @Test("H.264 on request: h264/avc1 with a target bitrate")
    func h264() async throws {
        let format = VideoFormat(width: 640, height: 360, fps: 30)
        let settings = OutputSettings(codec: .h264, rateControl: .bitrate(kbps: 800), preset: "ultrafast")
        let (_, path) = try await encode(settings, format: format, frames: 45, name: "b.mp4")
        let probe = try await FFprobe().probe(path)
        let video = try #require(probe.video)
        #expect(video.codec == "h264")
        #expect(video.tag == "avc1")
        #expect(video.width == 640 && video.height == 360)
        #expect(abs((video.fps ?? 0) - 30) < 0.01)
        #expect(video.frameCount == 45)
        #expect(abs(probe.duration - 1.5) <= 1.0 / 30 + 1e-6)
    }

    @Test("The moov atom comes before the media data (+faststart)")
    func faststart() async throws {
        let (_, path) = try await encode(OutputSettings(preset: "ultrafast"), format: VideoFormat(width: 320, height: 240, fps: 24), frames: 12, name: "c.mp4")
        let head = try #require(FileHandle(forReadingAtPath: path)).readData(ofLength: 64 * 1024)
        let moov = try #require(head.range(of: Data("moov".utf8)))
        let mdat = try #require(head.range(of: Data("mdat".utf8)) ?? Optional(head.endIndex..<head.endIndex))
        #expect(moov.lowerBound < mdat.lowerBound)
    }

    @Test("An impossible encoder setting fails with ffmpeg's exit code and stderr, and leaves no file")
    func impossibleSetting() async throws {
        let path = directory.appendingPathComponent("bad.mp4").path
        let encoder = FFmpegEncoder(settings: OutputSettings(preset: "no-such-preset"))
        do {
            _ = try await encoder.encode(format: VideoFormat(width: 320, height: 240, fps: 24), to: path) { writer in
                for i in 0..<48 {
                    try await writer.write(Self.frame(i, width: 320, height: 240))
                }
            }
            Issue.record("encoding with an unknown preset succeeded")
        } catch let error as MediaError {
            #expect(error.code == .toolFailed)
            #expect(error.exitCode.map { $0 != 0 } == true)
            #expect(error.stderrTail.lowercased().contains("preset"), "stderr tail: \(error.stderrTail)")
            #expect(error.description.contains("exit code"))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("Frames handed over while the one before is still being written reach the video in order, each once — RGB and ready yuv420p frames alike")
    func framesInOrder() async throws {
        let format = VideoFormat(width: 64, height: 64, fps: 24)
        let path = directory.appendingPathComponent("ordered.mp4").path
        let levels = (1...12).map { UInt8($0 * 20) }
        let summary = try await FFmpegEncoder(settings: OutputSettings(codec: .h264, rateControl: .crf(0), preset: "ultrafast"))
            .encode(format: format, to: path) { writer in
                for (index, level) in levels.enumerated() {
                    var frame = RGBFrame(width: 64, height: 64)
                    frame.bytes = [UInt8](repeating: level, count: 64 * 64 * 3)
                    if index.isMultiple(of: 2) {
                        try await writer.write(frame)
                    } else {
                        try await writer.write(yuv420p: YUV420Converter().convert(frame))
                    }
                }
            }
        #expect(summary.framesWritten == levels.count)
        // Decoded back to grey: each frame's mean luma climbs with its level.
        let bytes = try Self.decoded(path, pixelFormat: "gray")
        #expect(bytes.count == levels.count * 64 * 64)
        let means = stride(from: 0, to: bytes.count, by: 64 * 64).map { start in
            bytes[start..<min(start + 64 * 64, bytes.count)].reduce(0) { $0 + Int($1) } / (64 * 64)
        }
        #expect(means == means.sorted() && Set(means).count == levels.count, "mean luma per frame: \(means)")
    }

    @Test(
        "Frames handed over by reference reach the video unchanged, however many the pipe holds: ready yuv420p frames let go by the caller, and RGB frames converted into recycled memory",
        arguments: [false, true]
    )
    func framesHandedOverByReference(rgb: Bool) async throws {
        let format = VideoFormat(width: 256, height: 256, fps: 24)
        let path = directory.appendingPathComponent("by-reference-\(rgb).mp4").path
        let lumaCount = 256 * 256
        // 96 KiB a frame: below malloc's mmap threshold, so a dropped frame's memory goes straight
        // to the next frame, and a 1 MiB pipe holds ten of them.
        let frameCount = YUV420Converter.byteCount(width: 256, height: 256)
        let levels = (0..<40).map { UInt8(20 + $0 * 5) }
        var expected: [UInt8] = []
        _ = try await FFmpegEncoder(settings: OutputSettings(codec: .h264, rateControl: .crf(0), preset: "ultrafast"))
            .encode(format: format, to: path) { writer in
                for level in levels {
                    if rgb {
                        var frame = RGBFrame(width: 256, height: 256)
                        frame.bytes = [UInt8](repeating: level, count: lumaCount * 3)
                        expected.append(YUV420Converter().convert(frame)[0])
                        try await writer.write(frame)
                    } else {
                        // A new array each time, dropped here once handed over: only the pipe's
                        // own keeping stops the next frame being written over it before ffmpeg
                        // reads it.
                        var frame = [UInt8](repeating: 128, count: frameCount)
                        frame.withUnsafeMutableBufferPointer { $0.baseAddress!.update(repeating: level, count: lumaCount) }
                        expected.append(level)
                        try await writer.write(yuv420p: frame)
                    }
                }
            }
        // Lossless: every luma sample of frame i is its level.
        let bytes = try Self.decoded(path, pixelFormat: "yuv420p")
        #expect(bytes.count == levels.count * frameCount)
        let ranges = levels.indices.map { index in
            let luma = bytes[min(bytes.count, index * frameCount)..<min(bytes.count, index * frameCount + lumaCount)]
            return [luma.min() ?? 0, luma.max() ?? 0]
        }
        #expect(ranges == expected.map { [$0, $0] }, "luma min/max per frame: \(ranges)")
    }

    /// The video at `path` decoded to raw frames of `pixelFormat`, back to back.
    private static func decoded(_ path: String, pixelFormat: String) throws -> [UInt8] {
        let decoder = Process()
        decoder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        decoder.arguments = ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", pixelFormat, "-"]
        let output = Pipe()
        decoder.standardOutput = output
        try decoder.run()
        let bytes = [UInt8](output.fileHandleForReading.readDataToEndOfFile())
        decoder.waitUntilExit()
        return bytes
    }

    @Test("A frame of the wrong size, RGB or yuv420p, is refused before it reaches ffmpeg")
    func frameSizeMismatch() async throws {
        let path = directory.appendingPathComponent("d.mp4").path
        await #expect(throws: MediaError(code: .frameSizeMismatch, message: "frame is 64x64 but the video is 320x240")) {
            _ = try await FFmpegEncoder().encode(format: VideoFormat(width: 320, height: 240, fps: 24), to: path) { writer in
                try await writer.write(RGBFrame(width: 64, height: 64))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        await #expect(throws: MediaError(code: .frameSizeMismatch, message: "a yuv420p frame of 320x240 is 115200 bytes, not 115199")) {
            _ = try await FFmpegEncoder().encode(format: VideoFormat(width: 320, height: 240, fps: 24), to: path) { writer in
                try await writer.write(yuv420p: [UInt8](repeating: 128, count: 115_199))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("A missing ffmpeg is reported as such")
    func missingTool() async throws {
        let encoder = FFmpegEncoder(executable: "/nonexistent/ffmpeg")
        do {
            _ = try await encoder.encode(format: VideoFormat(width: 64, height: 64, fps: 24), to: directory.appendingPathComponent("e.mp4").path) { _ in }
            Issue.record("encoding without ffmpeg succeeded")
        } catch let error as MediaError {
            #expect(error.code == .toolNotFound)
        }
    }
}

@Suite("Thumbnailer", .timeLimit(.minutes(1)))
struct ThumbnailerTests {
    @Test("The thumbnail is a WebP image of the middle frame, at most 480 pixels wide")
    func webpThumbnail() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-thumb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let video = directory.appendingPathComponent("v.mp4").path
        let format = VideoFormat(width: 1280, height: 720, fps: 24)
        _ = try await FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")).encode(format: format, to: video) { writer in
            for i in 0..<24 {
                try await writer.write(FFmpegEncoderTests.frame(i, width: 1280, height: 720))
            }
        }
        let thumbnail = directory.appendingPathComponent("t.webp").path
        try await Thumbnailer().thumbnail(of: video, duration: 1, to: thumbnail)
        let head = try #require(FileHandle(forReadingAtPath: thumbnail)).readData(ofLength: 16)
        #expect(head.prefix(4) == Data("RIFF".utf8) && head.dropFirst(8).prefix(4) == Data("WEBP".utf8))
        let probe = try await FFprobe().probe(thumbnail)
        #expect(probe.video?.codec == "webp")
        #expect(probe.video?.width == 480 && probe.video?.height == 270)
    }
}
