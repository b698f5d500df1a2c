import Foundation
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXScheduler

/// The one-shot path end to end: request → procedural model → ffmpeg → MP4, checked by ffprobe.
@Suite("Video renderer", .timeLimit(.minutes(3)))
final class VideoRendererTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    static let codecs: [(VideoCodec, String, String)] = [(.h265, "hevc", "hvc1"), (.h264, "h264", "avc1")]

    @Test("A 720P 24 fps 2 s request becomes an MP4 of exactly that shape", arguments: codecs)
    func rendersRequestedShape(codec: VideoCodec, name: String, tag: String) async throws {
        let spec = try GenerationRequest(
            text: "a red fox running through snow",
            params: .init(resolution: "720P", fps: 24, duration: 2, steps: 4, seed: 7, codec: codec.rawValue, preset: "ultrafast")
        ).validated(limits: .oneShot)
        let path = directory.appendingPathComponent("\(name).mp4").path
        var reports: [RenderProgress] = []
        let renderer = VideoRenderer(model: ProceduralModel())
        let summary = try await renderer.render(spec, to: path) { reports.append($0) }

        #expect(summary.frames == 48)
        #expect(summary.seed == 7)
        #expect(summary.sampler == "euler")
        let probe = try await FFprobe().probe(path)
        let video = try #require(probe.video)
        #expect(video.codec == name)
        #expect(video.tag == tag)
        #expect(video.width == 1280 && video.height == 720)
        #expect(abs((video.fps ?? 0) - 24) < 0.01)
        #expect(video.frameCount == 48)
        #expect(abs(probe.duration - 2) <= 1.0 / 24 + 1e-6)
        #expect(summary.bytes == probe.sizeBytes)

        // Progress rises to 100 % and reports both sampler steps and encoded frames.
        #expect(reports.last?.fraction == 1)
        #expect(reports.contains { $0.step == 4 && $0.steps == 4 })
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.fraction <= $1.fraction + 1e-9 })
    }

    @Test("The same seed gives the same video file, byte for byte")
    func reproducibleFile() async throws {
        let spec = try GenerationRequest(text: "a tech city", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 3, seed: 99, preset: "ultrafast"))
            .validated(limits: .oneShot)
        let renderer = VideoRenderer(model: ProceduralModel())
        let a = directory.appendingPathComponent("a.mp4").path
        let b = directory.appendingPathComponent("b.mp4").path
        _ = try await renderer.render(spec, to: a)
        _ = try await renderer.render(spec, to: b)
        let first = try Data(contentsOf: URL(fileURLWithPath: a))
        let second = try Data(contentsOf: URL(fileURLWithPath: b))
        #expect(first == second)
    }
}
