import Foundation
import Testing
import VideoGenXONNX
import VideoGenXTestSupport

/// The ONNX Runtime binding against the real library of the onnxruntime 1.31.1 wheel: loading,
/// the graph signature, and runs of the tiny model's components compared with Python's
/// onnxruntime on the same inputs.
@Suite("ONNX Runtime", .enabled(if: OnnxTestEnvironment.enabled), .timeLimit(.minutes(3)))
struct OnnxRuntimeTests {
    static func runtime() throws -> OnnxRuntime {
        let path = try #require(OnnxTestEnvironment.library, "ONNX Runtime is not installed: run make model-deps")
        return try OnnxRuntime(library: try OrtLibrary(path: path))
    }

    @Test("The wheel's library loads and reports its version; a missing file and a library that is not ONNX Runtime are refused by name")
    func loading() throws {
        let runtime = try Self.runtime()
        #expect(runtime.version == "1.31.1")
        #expect(runtime.availableProviders.contains("CPUExecutionProvider"), "\(runtime.availableProviders)")
        #expect(throws: OnnxError.self) { try OrtLibrary(path: "/nonexistent/libonnxruntime.so") }
        do {
            _ = try OrtLibrary(path: "/nonexistent/libonnxruntime.so")
        } catch let error as OnnxError {
            #expect(error.code == "onnx_library_missing" && error.message.contains("/nonexistent/libonnxruntime.so"))
        }
        let other = try #require(["/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/aarch64-linux-gnu/libz.so.1"]
            .first { FileManager.default.fileExists(atPath: $0) })
        do {
            _ = try OrtLibrary(path: other)
            Issue.record("zlib was taken for ONNX Runtime")
        } catch let error as OnnxError {
            #expect(error.code == "onnx_library_unsupported", "\(error)")
        }
    }

    @Test("A session reads the graph's inputs and outputs with their types and dynamic axes")
    func signature() async throws {
        let model = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx/fp32")
        let session = try Self.runtime().session(path: model.appendingPathComponent("denoiser.onnx").path)
        #expect(session.inputs.map(\.description) == [
            "sample: float[?, 4, ?, ?, ?]", "timestep: float[?]", "encoder_hidden_states: float[?, 77, 32]",
        ])
        #expect(session.outputs.map(\.description) == ["noise_pred: float[?, 4, ?, ?, ?]"])
    }

    @Test("Each component of the tiny model gives Python onnxruntime's outputs on the same inputs: max abs difference ≤ 1e-4 in fp32", arguments: ["fp32", "fp16", "int8"])
    func parity(precision: String) async throws {
        let model = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx/\(precision)")
        let reference = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-ref-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: reference) }
        try await OnnxTestEnvironment.runTool("reference.py", ["components", model.path, reference.path])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: reference.appendingPathComponent("manifest.json"))) as? [String: [String: Any]] ?? [:]
        let runtime = try Self.runtime()
        var worst: [String: Float] = [:]
        for component in ["text_encoder", "denoiser", "vae_decoder"] {
            let session = try runtime.session(path: model.appendingPathComponent("\(component).onnx").path)
            var feeds: [String: OnnxTensor] = [:]
            var expected: [String: OnnxTensor] = [:]
            for (key, entry) in manifest where key.hasPrefix(component + ".") {
                let name = String(key.dropFirst(component.count + 1))
                let tensor = try Self.load(reference.appendingPathComponent("\(key).bin"), entry: entry)
                if entry["output"] as? Bool == true { expected[name] = tensor } else { feeds[name] = tensor }
            }
            let outputs = try session.run(feeds)
            for (name, want) in expected {
                let got = try #require(outputs[name])
                #expect(got.shape == want.shape, "\(component).\(name)")
                worst["\(component).\(name)"] = zip(got.floats, want.floats).map { abs($0 - $1) }.max() ?? .infinity
            }
        }
        // Ours and Python's run the same graph on the same runtime: fp32 is exact to float
        // rounding; fp16 and int8 graphs too (the difference to fp32 is the variant's, not ours).
        for (tensor, difference) in worst {
            #expect(difference <= 1e-4, "\(precision) \(tensor): max abs difference \(difference)")
        }
    }

    @Test("A missing input is refused naming the tensor; a corrupt graph file names the file")
    func faults() async throws {
        let model = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx/fp32")
        let runtime = try Self.runtime()
        let session = try runtime.session(path: model.appendingPathComponent("text_encoder.onnx").path)
        do {
            _ = try session.run([:])
            Issue.record("a run without inputs succeeded")
        } catch let error as OnnxError {
            #expect(error.code == "onnx_tensor_mismatch" && error.message.contains("input_ids"), "\(error)")
        }
        do {
            _ = try session.run(["input_ids": OnnxTensor(shape: [1, 76], int64s: Array(repeating: 0, count: 76))])
            Issue.record("a mis-shaped input was run")
        } catch let error as OnnxError {
            #expect(error.code == "onnx_tensor_mismatch" && error.message.contains("int64[?, 77]"), "\(error)")
        }
        let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-corrupt-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: corrupt) }
        try Data("not a model".utf8).write(to: corrupt)
        do {
            _ = try runtime.session(path: corrupt.path)
            Issue.record("a corrupt file loaded")
        } catch let error as OnnxError {
            #expect(error.code == "onnx_session_failed" && error.message.contains(corrupt.path), "\(error)")
        }
    }

    /// A tensor written by `tools/models/reference.py`.
    static func load(_ file: URL, entry: [String: Any]) throws -> OnnxTensor {
        let shape = entry["shape"] as? [Int] ?? []
        let data = try Data(contentsOf: file)
        if entry["dtype"] as? String == "int64" {
            return OnnxTensor(shape: shape, int64s: data.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) })
        }
        return OnnxTensor(shape: shape, floats: data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
    }
}
