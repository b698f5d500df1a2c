import Foundation
import Synchronization
import Subprocess
import SystemPackage
import Testing

/// What the ONNX backend's tests need, from `make model-deps` (`.venv-models`): its Python (for
/// reference outputs from onnxruntime and Hugging Face tokenizers), ONNX Runtime's library and
/// CLIP's vocabulary. Without them the tests are skipped, except in CI (`CI=true`), where they
/// must be there: a missing piece then fails the run.
public enum OnnxTestEnvironment {
    /// The repository root (tests run from it).
    public static let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    /// The models venv.
    static let venv = root.appendingPathComponent(".venv-models")

    /// The venv's Python.
    public static var python: String { venv.appendingPathComponent("bin/python").path }

    /// `libonnxruntime.so.*` of the venv's onnxruntime wheel, if installed.
    public static var library: String? {
        let lib = venv.appendingPathComponent("lib")
        guard let versions = try? FileManager.default.contentsOfDirectory(atPath: lib.path) else { return nil }
        for version in versions.sorted() where version.hasPrefix("python") {
            let capi = lib.appendingPathComponent("\(version)/site-packages/onnxruntime/capi")
            if let names = try? FileManager.default.contentsOfDirectory(atPath: capi.path),
               let name = names.sorted().last(where: { $0.hasPrefix("libonnxruntime.so.") })
            {
                return capi.appendingPathComponent(name).path
            }
        }
        return nil
    }

    /// CLIP's BPE vocabulary, as `make model-deps` extracts it.
    public static var vocabulary: String { venv.appendingPathComponent("share/bpe_simple_vocab_16e6.txt.gz").path }

    /// Whether everything is installed.
    public static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: python) && library != nil && FileManager.default.fileExists(atPath: vocabulary)
    }

    /// Whether the ONNX tests run: installed, or in CI (where a missing piece must fail them).
    public static var enabled: Bool {
        installed || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// Runs `tools/models/<script>` with the venv's Python; its stdout goes to `stdout` when given.
    /// - Throws: when it exits non-zero (its stderr in the message).
    public static func runTool(_ script: String, _ arguments: [String], environment: [String: String] = [:], stdout: URL? = nil) async throws {
        // One Python tool at a time: each loads numpy and onnxruntime (seconds of CPU), and the
        // suites run at once on two cores beside time-bounded ones.
        await toolGate.acquire()
        defer { toolGate.release() }
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(rawValue: key)!] = value }
        let result = try await Subprocess.run(
            .path(FilePath(python)), arguments: Arguments([root.appendingPathComponent("tools/models/\(script)").path] + arguments),
            environment: .inherit.updating(updates), output: .string(limit: 1 << 22), error: .string(limit: 1 << 16)
        )
        guard result.terminationStatus.isSuccess else {
            throw POSIXError(.EIO, userInfo: [NSLocalizedDescriptionKey: "\(script) failed: \(result.standardError ?? "")"])
        }
        if let stdout { try Data((result.standardOutput ?? "").utf8).write(to: stdout) }
    }

    /// Serialises ``runTool(_:_:environment:stdout:)``.
    static let toolGate = AsyncGate()

    /// The tiny test model (`tools/models/make_tiny.py`), built once per test process into a
    /// temporary folder: returns the folder holding `tiny-onnx.yaml` and `tiny-onnx/`.
    public static func tinyModel() async throws -> URL {
        try await TinyModelCache.shared.folder()
    }
}

/// Builds the tiny model once per process.
actor TinyModelCache {
    static let shared = TinyModelCache()
    private var built: Task<URL, any Error>?

    func folder() async throws -> URL {
        if let built { return try await built.value }
        let task = Task<URL, any Error> {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-tiny-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await OnnxTestEnvironment.runTool(
                "make_tiny.py", [folder.appendingPathComponent("tiny-onnx").path, "--oom-variant"],
                environment: ["OPEN_CLIP_VOCAB": OnnxTestEnvironment.vocabulary]
            )
            return folder
        }
        built = task
        return try await task.value
    }
}

/// A one-permit gate for async code: `acquire` waits its turn, `release` hands the permit on.
final class AsyncGate: Sendable {
    private let state = Mutex<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Waits until the permit is this caller's.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Hands the permit to the next waiter, or frees it.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
