import Foundation
import Subprocess
import SystemPackage
import Testing
import VideoGenXMedia
import VideoGenXTestSupport

/// The tiny ONNX model through the binary: `videogenx generate --model tiny-onnx` and `serve`
/// with `params.model`, as a user runs them.
@Suite("ONNX model end to end", .serialized, .enabled(if: OnnxTestEnvironment.enabled), .timeLimit(.minutes(5)))
struct OnnxModelEndToEndTests {
    @Test("generate --model tiny-onnx writes a valid MP4 of the asked shape, byte-identical on a second run; an unknown model exits 2")
    func generate() async throws {
        let models = try await OnnxTestEnvironment.tinyModel()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-onnx-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var outputs: [Data] = []
        for run in 0..<2 {
            let output = directory.appendingPathComponent("\(run).mp4").path
            let result = try await CLI.run([
                "generate", "a red fox", "--model", "tiny-onnx", "--models-dir", models.path, "--resolution", "720P", "--fps", "24",
                "--duration", "1", "--steps", "3", "--seed", "5", "--preset", "ultrafast", "-q", "-o", output,
            ])
            #expect(result.status == .exited(0), "\(result.stderr)")
            let probe = try await FFprobe().probe(output)
            #expect(probe.video?.width == 1280 && probe.video?.height == 720 && probe.video?.frameCount == 24)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        #expect(outputs[0] == outputs[1], "the same request twice gives the same bytes")
        let unknown = try await CLI.run(["generate", "fox", "--model", "sora", "--models-dir", models.path, "-o", directory.appendingPathComponent("n.mp4").path])
        #expect(unknown.status == .exited(2) && unknown.stderr.contains("--model: must name a registered model (procedural, tiny-onnx), got 'sora'"), "\(unknown.stderr)")
        let unsupported = try await CLI.run([
            "generate", "fox", "--model", "tiny-onnx", "--models-dir", models.path, "--resolution", "1080P", "-o", directory.appendingPathComponent("n.mp4").path,
        ])
        #expect(unsupported.status == .exited(2) && unsupported.stderr.contains("params.resolution: the model tiny-onnx renders 720P, got 1080P"), "\(unsupported.stderr)")
    }

    @Test("serve lists the registry at GET /api/v1/models and renders a task with params.model tiny-onnx; an unknown model or a resolution it lacks is a 400 on its field")
    func serve() async throws {
        let models = try await OnnxTestEnvironment.tinyModel()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-onnx-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = [
            "VIDEOGENX_MODELS_DIR": models.path, "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1",
        ]
        try await ServeProcess.with(dataDirectory: data, environment: environment) { server in
            let (status, listing) = try await server.request("GET", "/api/v1/models")
            #expect(status == 200)
            let entries = ((listing["data"] as? [String: Any])?["models"] as? [[String: Any]]) ?? []
            let tiny = try #require(entries.first { $0["name"] as? String == "tiny-onnx" })
            #expect(tiny["backend"] as? String == "onnx" && tiny["available"] as? Bool == true && tiny["variants"] as? [String] == ["fp32", "fp16", "int8"])
            #expect(entries.map { $0["name"] as? String } == ["procedural", "tiny-onnx"])

            let body = #"{"text":"a red fox","params":{"model":"tiny-onnx","resolution":"720P","fps":24,"duration":1,"steps":3,"seed":5,"preset":"ultrafast"}}"#
            let id = try await server.submit(body)
            let done = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
            #expect(done["status"] as? String == "succeeded", "\(done)")
            #expect(((done["request"] as? [String: Any])?["params"] as? [String: Any])?["model"] as? String == "tiny-onnx")
            let video = data.appendingPathComponent("objects/objects/videos/\(id)/video.mp4").path
            let probe = try await FFprobe().probe(video)
            #expect(probe.video?.width == 1280 && probe.video?.frameCount == 24)

            for (params, field) in [(#"{"model":"sora"}"#, "params.model"), (#"{"model":"tiny-onnx","resolution":"4K"}"#, "params.resolution")] {
                let (refused, answer) = try await server.request("POST", "/api/v1/video/generate", body: #"{"text":"fox","params":\#(params)}"#)
                let errors = ((answer["data"] as? [String: Any])?["errors"] as? [[String: Any]]) ?? []
                #expect(refused == 400 && errors.contains { $0["field"] as? String == field }, "\(params): \(answer)")
            }
        }
    }
}
