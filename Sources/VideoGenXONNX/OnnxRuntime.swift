import Synchronization

/// One ONNX Runtime environment per process over an ``OrtLibrary``: makes sessions (graph
/// optimisation on, intra-op threads as asked) and turns the runtime's statuses into
/// ``OnnxError``s.
public final class OnnxRuntime: @unchecked Sendable {
    // Safe to share: `env` is created once and ONNX Runtime's env is thread-safe; the library's
    // table is read-only.
    let library: OrtLibrary
    private let env: OpaquePointer

    private typealias Status = OpaquePointer?
    private typealias CreateEnv = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutablePointer<OpaquePointer?>) -> Status

    /// The runtime of `library`, logging only errors (to stderr, as ONNX Runtime does).
    /// - Throws: ``OnnxError`` when the environment cannot be made.
    public init(library: OrtLibrary) throws {
        self.library = library
        var env: OpaquePointer?
        let status = library.function(.createEnv, as: CreateEnv.self)(3, "videogenx", &env)
        try Self.check(status, library: library, code: "onnx_session_failed", context: "creating the ONNX Runtime environment")
        guard let env else { throw OnnxError(code: "onnx_session_failed", message: "ONNX Runtime made no environment") }
        self.env = env
    }

    deinit {
        library.function(.releaseEnv, as: (@convention(c) (OpaquePointer) -> Void).self)(env)
    }

    /// The runtime's version, e.g. `1.31.1`.
    public var version: String { library.version }

    /// The execution providers this build of ONNX Runtime has, e.g. `CPUExecutionProvider`
    /// (the `onnxruntime` wheel) or also `CUDAExecutionProvider` (`onnxruntime-gpu`).
    public var availableProviders: [String] {
        typealias Get = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, UnsafeMutablePointer<Int32>) -> OpaquePointer?
        typealias Release = @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> OpaquePointer?
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var count: Int32 = 0
        guard (try? check(library.function(.getAvailableProviders, as: Get.self)(&names, &count), "listing providers")) != nil, let names else {
            return []
        }
        let providers = (0..<Int(count)).compactMap { names[$0].map { String(cString: $0) } }
        if let status = library.function(.releaseAvailableProviders, as: Release.self)(names, count) {
            library.function(.releaseStatus, as: (@convention(c) (OpaquePointer) -> Void).self)(status)
        }
        return providers
    }

    /// A session over the graph in `path` with `intraOpThreads` threads (0: ONNX Runtime's
    /// choice, one per core) and every graph optimisation on. One thread (the default) runs on
    /// the calling thread; more make a pool whose threads spin-wait between runs, which starves
    /// everything else on a small machine (ffmpeg, the other members of a batch).
    /// - Throws: ``OnnxError`` `onnx_session_failed` naming the file and the runtime's reason
    ///   (missing file, not a model, unsupported operator), or `out_of_memory`.
    public func session(path: String, intraOpThreads: Int = 1) throws -> OnnxSession {
        typealias CreateOptions = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Status
        typealias SetInt = @convention(c) (OpaquePointer, Int32) -> Status
        typealias Release = @convention(c) (OpaquePointer) -> Void
        typealias CreateSession = @convention(c) (OpaquePointer, UnsafePointer<CChar>, OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Status
        var options: OpaquePointer?
        try check(library.function(.createSessionOptions, as: CreateOptions.self)(&options), "session options for \(path)")
        guard let options else { throw OnnxError(code: "onnx_session_failed", message: "ONNX Runtime made no session options") }
        defer { library.function(.releaseSessionOptions, as: Release.self)(options) }
        // ORT_ENABLE_ALL.
        try check(library.function(.setSessionGraphOptimizationLevel, as: SetInt.self)(options, 99), "graph optimisation for \(path)")
        try check(library.function(.setIntraOpNumThreads, as: SetInt.self)(options, Int32(max(0, intraOpThreads))), "threads for \(path)")
        try check(library.function(.setInterOpNumThreads, as: SetInt.self)(options, 1), "threads for \(path)")
        var session: OpaquePointer?
        try check(library.function(.createSession, as: CreateSession.self)(env, path, options, &session), "loading \(path)")
        guard let session else { throw OnnxError(code: "onnx_session_failed", message: "ONNX Runtime made no session for \(path)") }
        return try OnnxSession(runtime: self, session: session, path: path)
    }

    /// Throws the error a non-nil `status` carries (and releases it).
    func check(_ status: OpaquePointer?, _ context: String, code: String = "onnx_session_failed") throws {
        try Self.check(status, library: library, code: code, context: context)
    }

    private static func check(_ status: OpaquePointer?, library: OrtLibrary, code: String, context: String) throws {
        guard let status else { return }
        let message = String(cString: library.function(.getErrorMessage, as: (@convention(c) (OpaquePointer) -> UnsafePointer<CChar>).self)(status))
        library.function(.releaseStatus, as: (@convention(c) (OpaquePointer) -> Void).self)(status)
        let lowered = message.lowercased()
        let outOfMemory = lowered.contains("failed to allocate memory") || lowered.contains("bad_alloc") || lowered.contains("out of memory")
        throw OnnxError(code: outOfMemory ? "out_of_memory" : code, message: "\(context): \(message)")
    }
}
