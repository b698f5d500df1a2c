import Foundation
import Subprocess
import Testing
import VideoGenXCore
import VideoGenXPlatform
import VideoGenXTestSupport

/// The model registry: YAML configs in `models.dir` beside the built-in model, every mistake
/// reported with its file and field, and whether each model can run here.
@Suite("Model registry", .timeLimit(.minutes(3)))
struct ModelRegistryTests {
    static let validYAML = """
        name: tiny
        backend: onnx
        version: "1"
        tokenizer: {kind: clip_bpe, vocabulary: vocab.txt.gz, max_length: 77}
        schedule: {prediction: epsilon}
        supports: {resolutions: [720P], fps: [24], max_frames: 48, max_batch: 4}
        memory_mb_per_task: 128
        variants:
          - {precision: fp32, text_encoder: te.onnx, denoiser: dn.onnx, vae_decoder: vae.onnx}
        """

    /// A folder holding `yaml` as `model.yaml` and empty files for the names it uses.
    static func folder(_ yaml: String, files: [String] = ["vocab.txt.gz", "te.onnx", "dn.onnx", "vae.onnx"]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: folder.appendingPathComponent("model.yaml"))
        for file in files { try Data().write(to: folder.appendingPathComponent(file)) }
        return folder
    }

    @Test("A valid config registers beside the built-in model, its files resolved next to it, its capabilities read")
    func valid() throws {
        let folder = try Self.folder(Self.validYAML)
        defer { try? FileManager.default.removeItem(at: folder) }
        let registry = try ModelRegistry.load(directory: folder)
        #expect(registry.names == ["procedural", "tiny"])
        let entry = try #require(registry.entry("tiny"))
        #expect(entry.path("dn.onnx") == folder.appendingPathComponent("dn.onnx").path)
        let listing = entry.listing
        #expect(listing.capabilities == ModelCapabilities(name: "tiny", resolutions: [.hd720], frameRates: [24], maxFrames: 48))
        #expect(listing.variants == ["fp32"] && listing.maxBatch == 4 && listing.memoryMBPerTask == 128 && listing.available)
        #expect(try ModelRegistry.load(directory: URL(fileURLWithPath: "/nonexistent/models")).names == ["procedural"], "no folder: the built-in model alone")
    }

    @Test("A bad config names its file, the field and what is wrong", arguments: [
        ("name: tiny\nbackend: [unclosed", "not valid YAML"),
        (validYAML.replacingOccurrences(of: "memory_mb_per_task: 128\n", with: ""), "memory_mb_per_task: is required"),
        (validYAML.replacingOccurrences(of: "max_batch: 4", with: "max_batch: four"), "supports.max_batch: must be a whole number"),
        (validYAML.replacingOccurrences(of: "backend: onnx", with: "backend: tensorflow"), "backend: must be one of procedural, onnx, got 'tensorflow'"),
        (validYAML.replacingOccurrences(of: "max_batch: 4", with: "max_batch: 9"), "supports.max_batch: must be 1–8, got 9"),
        (validYAML.replacingOccurrences(of: "[720P]", with: "[720P, 8K]"), "supports.resolutions[1]: must be one of 720P, 1080P, 4K, got '8K'"),
        (validYAML.replacingOccurrences(of: "precision: fp32", with: "precision: fp8"), "variants[0].precision: must be one of fp32, fp16, int8, got 'fp8'"),
        (validYAML.replacingOccurrences(of: "dn.onnx", with: "missing.onnx"), "variants[0].denoiser: file not found: missing.onnx"),
        (validYAML.replacingOccurrences(of: "prediction: epsilon", with: "prediction: x0"), "schedule.prediction: must be epsilon or v_prediction, got 'x0'"),
        (validYAML + "\nlatent: {channels: 16, spatial_scale: 8, temporal_scale: 4}", "latent.channels: this build samples 4-channel latents, got 16"),
        (validYAML.replacingOccurrences(of: "name: tiny", with: "name: procedural"), "name: 'procedural' is already declared by (built in)"),
    ])
    func invalid(yaml: String, expected: String) throws {
        let folder = try Self.folder(yaml)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try ModelRegistry.load(directory: folder)
            Issue.record("loaded: \(yaml)")
        } catch let error as ConfigurationError {
            #expect(error.key == "models.dir")
            #expect(error.reason.hasPrefix(folder.appendingPathComponent("model.yaml").path + ": "), "\(error.reason)")
            #expect(error.reason.contains(expected), "\(error.reason)")
        }
    }

    @Test("Without ONNX Runtime an onnx model is listed as unavailable, with the reason and the install command; the procedural model still runs")
    func missingRuntime() throws {
        let folder = try Self.folder(Self.validYAML)
        defer { try? FileManager.default.removeItem(at: folder) }
        var onnx = OnnxSettings()
        onnx.library = "/nonexistent/libonnxruntime.so.1.31.1"
        let registry = try ModelRegistry.load(directory: folder, availability: ModelRegistry.availability(onnx))
        let tiny = try #require(registry.entry("tiny")?.listing)
        #expect(!tiny.available)
        #expect(tiny.unavailableReason?.contains("/nonexistent/libonnxruntime.so.1.31.1") == true)
        #expect(tiny.unavailableReason?.contains("make model-deps") == true)
        #expect(registry.entry("procedural")?.listing.available == true)
    }

    @Test("videogenx models lists the registry; serve refuses a bad config at start-up with exit 2 naming the file", .enabled(if: OnnxTestEnvironment.enabled))
    func commands() async throws {
        let models = try await OnnxTestEnvironment.tinyModel()
        let listed = try await CLI.run(["models", "--models-dir", models.path, "--onnx-library", try #require(OnnxTestEnvironment.library)])
        #expect(listed.status == .exited(0), "\(listed.stderr)")
        #expect(listed.stdout.contains("tiny-onnx\tonnx\t20261129\tfp32,fp16,int8\t720P\t24,30\t8\tyes"), "\(listed.stdout)")
        let missing = try await CLI.run(["models", "--models-dir", models.path, "--onnx-library", "/nonexistent/libonnxruntime.so"])
        #expect(missing.stdout.contains("tiny-onnx") && missing.stdout.contains("no: cannot load ONNX Runtime from /nonexistent/libonnxruntime.so"), "\(missing.stdout)")
        let bad = try Self.folder("name: broken\n")
        defer { try? FileManager.default.removeItem(at: bad) }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-data-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let serve = try await CLI.run(["serve", "--port", "0", "--data-dir", data.path], environment: ["VIDEOGENX_MODELS_DIR": bad.path])
        #expect(serve.status == .exited(2), "\(serve.stderr)")
        #expect(serve.stderr.contains(bad.appendingPathComponent("model.yaml").path) && serve.stderr.contains("backend: is required"), "\(serve.stderr)")
    }

    @Test("export.py turns fp32 graphs into optimised fp32, fp16 and int8 variants and writes a config the registry takes", .enabled(if: OnnxTestEnvironment.enabled))
    func exportTool() async throws {
        let built = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx")
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let folder = out.appendingPathComponent("exported")
        try await OnnxTestEnvironment.runTool("export.py", ["variants", "--fp32", built.appendingPathComponent("fp32").path, "--out", folder.path, "--fp16", "--int8"])
        try FileManager.default.copyItem(at: built.appendingPathComponent("bpe_simple_vocab_16e6.txt.gz"), to: folder.appendingPathComponent("bpe_simple_vocab_16e6.txt.gz"))
        let config = out.appendingPathComponent("exported.yaml")
        try await OnnxTestEnvironment.runTool(
            "export.py", ["config", "--name", "exported", "--folder", folder.path, "--vocabulary", folder.appendingPathComponent("bpe_simple_vocab_16e6.txt.gz").path],
            stdout: config
        )
        var onnx = OnnxSettings()
        onnx.library = try #require(OnnxTestEnvironment.library)
        let registry = try ModelRegistry.load(directory: out, availability: ModelRegistry.availability(onnx))
        let listing = try #require(registry.entry("exported")?.listing)
        #expect(listing.variants == ["fp32", "fp16", "int8"] && listing.available, "\(listing)")
    }
}
