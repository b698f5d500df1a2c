import Foundation
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler

/// The renderer with finishing options and assets: data URIs decoded, the reference image
/// conditioning the model, asset failures named by field.
@Suite("Renderer finishing and assets", .timeLimit(.minutes(3)))
final class RendererFinishingTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-finish-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A PNG of ffmpeg's test pattern as a data URI.
    private func pngDataURI(width: Int, height: Int) async throws -> String {
        let path = directory.appendingPathComponent("pattern-\(width)x\(height).png").path
        try await TestPattern.writePNG(to: path, width: width, height: height)
        return "data:image/png;base64," + (try Data(contentsOf: URL(fileURLWithPath: path))).base64EncodedString()
    }

    private func spec(image: String? = nil, _ params: GenerationRequest.Parameters = .init()) throws -> GenerationSpec {
        var params = params
        params.resolution = "720P"
        params.fps = 24
        params.duration = 1
        params.steps = 3
        params.seed = 5
        params.preset = "ultrafast"
        return try GenerationRequest(text: "a quiet lake at dawn", image: image, params: params).validated(limits: .oneShot)
    }

    @Test("Image-to-video with every option: the reference changes the frames, music and font are recorded")
    func everything() async throws {
        let image = try await pngDataURI(width: 320, height: 180)
        let logo = try await pngDataURI(width: 120, height: 60)
        let renderer = VideoRenderer(model: ProceduralModel())
        let plain = try await renderer.render(try spec(), to: directory.appendingPathComponent("plain.mp4").path)
        let conditioned = try await renderer.render(try spec(image: image), to: directory.appendingPathComponent("image.mp4").path)
        let a = try await FirstFrameReader.frame(plain.path), b = try await FirstFrameReader.frame(conditioned.path)
        #expect(TestFrames.meanDifference(a, b) > 10, "the reference image must change the picture")

        let full = try spec(image: image, .init(
            brightness: 0.05, denoise: "light", subtitle: SubtitleRequest(text: "湖面 calm lake"),
            watermark: WatermarkRequest(image: logo, opacity: 70), backgroundMusic: MusicRequest(builtin: "calm", fadeOut: 0.5)
        ))
        let summary = try await renderer.render(full, to: directory.appendingPathComponent("full.mp4").path)
        #expect(summary.hasAudio && summary.fontFamily != nil && summary.frames == 24)
        let probe = try await FFprobe().probe(summary.path)
        #expect(probe.streams.contains { $0.type == "audio" && $0.codec == "aac" })
        #expect(probe.video?.frameCount == 24)
        #expect(!FileManager.default.fileExists(atPath: summary.path + ".work"), "the work directory is removed")
    }

    @Test("Asset failures name the field: URL without a fetcher, undecodable image, over the size cap")
    func assetFailures() async throws {
        let renderer = VideoRenderer(model: ProceduralModel())
        await #expect(throws: AssetError(code: .refused, field: "image", message: "URLs cannot be fetched here (no asset fetcher configured)")) {
            _ = try await renderer.render(try self.spec(image: "https://example.com/a.png"), to: self.directory.appendingPathComponent("u.mp4").path)
        }
        let text = "data:image/png;base64," + Data("not an image".utf8).base64EncodedString()
        await #expect(throws: AssetError(code: .unreadable, field: "params.watermark.image", message: "is not an image ffmpeg can decode")) {
            _ = try await renderer.render(try self.spec(.init(watermark: WatermarkRequest(image: text))), to: self.directory.appendingPathComponent("n.mp4").path)
        }
        var small = VideoRenderer(model: ProceduralModel())
        small.assetLimits = AssetLimits(maxImageBytes: 8)
        do {
            _ = try await small.render(try spec(image: text), to: directory.appendingPathComponent("s.mp4").path)
            Issue.record("an oversized image was accepted")
        } catch let error as AssetError {
            #expect(error.code == .tooLarge && error.field == "image" && !error.isRetryable)
        }
    }

    @Test("A result's object key works as the reference image when the renderer has the object store; without it, a clear refusal")
    func objectKeyReference() async throws {
        let signer = try URLSigner(secret: Array(repeating: 1, count: 32))
        let objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: signer)
        let png = directory.appendingPathComponent("ref.png").path
        try await TestPattern.writePNG(to: png, width: 64, height: 36)
        _ = try await objects.put(try ObjectKey("videos/T1/thumbnail.png"), fromFile: URL(fileURLWithPath: png), contentType: "image/png")
        let spec = try spec(image: "videos/T1/thumbnail.png")
        let summary = try await VideoRenderer(model: ProceduralModel(), objects: objects).render(spec, to: directory.appendingPathComponent("k.mp4").path)
        #expect(summary.frames == 24)
        await #expect(throws: AssetError(code: .refused, field: "image", message: "object keys need the platform's object store (use a URL or data URI here)")) {
            _ = try await VideoRenderer(model: ProceduralModel()).render(spec, to: self.directory.appendingPathComponent("k2.mp4").path)
        }
        await #expect(throws: AssetError(code: .unreadable, field: "image", message: "no object 'videos/T2/x.png' exists")) {
            _ = try await VideoRenderer(model: ProceduralModel(), objects: objects).render(try self.spec(image: "videos/T2/x.png"), to: self.directory.appendingPathComponent("k3.mp4").path)
        }
    }
}

/// Decodes the first frame of a video to RGB bytes with ffmpeg.
enum FirstFrameReader {
    static func frame(_ path: String) async throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}

/// Pixel comparisons.
enum TestFrames {
    static func meanDifference(_ a: [UInt8], _ b: [UInt8]) -> Double {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return Double(zip(a, b).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }) / Double(a.count)
    }
}
