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

    @Test("Faults: a model whose graph file is corrupt fails its task with an error naming the file, and the worker goes on serving; an out-of-memory error of the fp32 variant (a real ONNX Runtime allocation failure) loads the next variant: the task's retry runs on fp16 and succeeds; the cache shows fp16")
    func faults() async throws {
        let built = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx")
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-oom-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: models) }
        func file(_ path: String) -> String { built.appendingPathComponent(path).path }
        let yaml = """
            name: tiny-onnx-oom
            backend: onnx
            version: "1"
            tokenizer: {kind: clip_bpe, vocabulary: \(file("bpe_simple_vocab_16e6.txt.gz")), max_length: 77}
            schedule: {prediction: epsilon}
            supports: {resolutions: [720P], fps: [24], max_frames: 48, max_batch: 8}
            memory_mb_per_task: 256
            variants:
              - {precision: fp32, text_encoder: \(file("fp32/text_encoder.onnx")), denoiser: \(file("oom/denoiser.onnx")), vae_decoder: \(file("fp32/vae_decoder.onnx"))}
              - {precision: fp16, text_encoder: \(file("fp16/text_encoder.onnx")), denoiser: \(file("fp16/denoiser.onnx")), vae_decoder: \(file("fp16/vae_decoder.onnx"))}
            """
        try Data(yaml.utf8).write(to: models.appendingPathComponent("tiny-onnx-oom.yaml"))
        let corrupt = models.appendingPathComponent("corrupt-denoiser.onnx")
        try Data("not a graph".utf8).write(to: corrupt)
        let broken = yaml.replacingOccurrences(of: "name: tiny-onnx-oom", with: "name: tiny-onnx-broken")
            .replacingOccurrences(of: file("oom/denoiser.onnx"), with: corrupt.path)
            .replacingOccurrences(of: file("fp16/denoiser.onnx"), with: corrupt.path)
        try Data(broken.utf8).write(to: models.appendingPathComponent("tiny-onnx-broken.yaml"))
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-oom-serve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = [
            "VIDEOGENX_MODELS_DIR": models.path, "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1",
            "VIDEOGENX_MODELS_PRELOAD": "none",
        ]
        try await ServeProcess.with(dataDirectory: data, environment: environment) { server in
            let brokenID = try await server.submit(
                #"{"text":"a red fox","params":{"model":"tiny-onnx-broken","resolution":"720P","fps":24,"duration":1,"steps":2,"seed":5,"preset":"ultrafast"}}"#
            )
            let failed = try await server.waitFor(brokenID) { ["succeeded", "failed"].contains($0["status"] as? String) }
            let error = (failed["error"] as? [String: Any]) ?? [:]
            #expect(failed["status"] as? String == "failed" && (error["message"] as? String ?? "").contains(corrupt.path), "\(failed)")

            let body = #"{"text":"a red fox","params":{"model":"tiny-onnx-oom","resolution":"720P","fps":24,"duration":1,"steps":2,"seed":5,"preset":"ultrafast"}}"#
            let id = try await server.submit(body)
            let done = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
            #expect(done["status"] as? String == "succeeded" && done["attempts"] as? Int == 2, "\(done)")
            let (_, devices) = try await server.request("GET", "/api/v1/admin/devices")
            let cached = ((devices["data"] as? [String: Any])?["models"] as? [[String: Any]]) ?? []
            let status = try #require(cached.first { $0["name"] as? String == "tiny-onnx-oom" })
            #expect(status["precision"] as? String == "fp16", "\(status)")
        }
    }
}
