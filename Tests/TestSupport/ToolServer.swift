import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A server program of a test's own (Prometheus, Alertmanager, moto) on a loopback port:
/// started, waited for until the port accepts, and stopped with SIGKILL (a SIGTERM may sit
/// blocked in the signal mask children inherit from the test process).
public final class ToolServer: Sendable {
    /// The loopback port it listens on.
    public let port: Int
    private let process = LockedProcess()

    /// A server on `port` (a free loopback port when `nil`), not started yet.
    public init(port: Int? = nil) throws {
        self.port = try port ?? LoopbackPort.free()
    }

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Runs `executable` with `arguments` (its output to `log`, or discarded) and waits up to
    /// 20 s for the port to accept connections.
    /// - Throws: when it cannot start, exits, or never listens.
    public func start(_ executable: URL, arguments: [String], log: URL? = nil) async throws {
        let server = Process()
        server.executableURL = executable
        server.arguments = arguments
        if let log {
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            server.standardOutput = handle
            server.standardError = handle
        } else {
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
        }
        try server.run()
        process.set(server)
        for _ in 0..<200 {
            if (try? LoopbackPort.accepts(port)) == true { return }
            guard server.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw PostgresTestServer.TestServerError("\(executable.lastPathComponent) did not listen on port \(port)")
    }

    /// Stops the server (SIGKILL); nothing when it is not running.
    public func stop() {
        guard let server = process.take() else { return }
        kill(server.processIdentifier, SIGKILL)
    }

    deinit {
        stop()
    }

    /// A program on the `PATH`, or `nil`.
    public static func program(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The running process, behind a lock.
    private final class LockedProcess: @unchecked Sendable {
        // @unchecked: every access to `process` holds `lock`.
        private let lock = NSLock()
        private var process: Process?
        func set(_ value: Process) { lock.withLock { process = value } }
        func take() -> Process? { lock.withLock { defer { process = nil }; return process } }
    }
}
