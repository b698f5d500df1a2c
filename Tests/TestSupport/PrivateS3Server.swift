import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Subprocess
import SystemPackage

/// An S3-compatible server of one test's own (moto from `.venv-s3`, no signature checks), for
/// fault tests that need the store down and back up on the same port. Its objects live in
/// memory: ``start()`` after ``stop()`` is an empty store again, with the bucket `vgx-test`
/// made anew.
public final class PrivateS3Server: Sendable {
    /// The loopback port it listens on while started.
    public let port: Int
    private let process = LockedProcess()

    /// A server on a free loopback port, not started yet.
    public init() throws {
        port = try LoopbackPort.free()
    }

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// `s3://vgx-test/PREFIX?endpoint=…` for `objects.url`.
    public func url(prefix: String) -> String {
        "s3://vgx-test/\(prefix)?endpoint=\(endpoint)&region=us-east-1&path_style=true"
    }

    /// Starts moto, waits for it and makes the bucket.
    public func start() async throws {
        let root = S3TestServer.tools.deletingLastPathComponent().deletingLastPathComponent()
        let server = Process()
        server.executableURL = root.appendingPathComponent(".venv-s3/bin/moto_server")
        server.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        process.set(server)
        for _ in 0..<100 {
            if (try? LoopbackPort.accepts(port)) == true { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Subprocess, not Process.waitUntilExit: that spins a run loop on a cooperative thread.
        let setup = try await Subprocess.run(
            .path(FilePath(S3TestServer.python)), arguments: [S3TestServer.tools.appendingPathComponent("setup_moto.py").path, endpoint],
            input: .none, output: .discarded, error: .discarded
        )
        guard setup.terminationStatus.isSuccess else {
            throw PostgresTestServer.TestServerError("setting up moto on port \(port) ended \(setup.terminationStatus)")
        }
    }

    /// Stops moto with SIGKILL: a SIGTERM may sit blocked in the signal mask moto inherits from
    /// the test process (it did: every run left one moto behind).
    public func stop() {
        guard let server = process.take() else { return }
        kill(server.processIdentifier, SIGKILL)
    }

    deinit {
        stop()
    }

    /// The running moto, behind a lock.
    private final class LockedProcess: @unchecked Sendable {
        // @unchecked: every access to `process` holds `lock`.
        private let lock = NSLock()
        private var process: Process?
        func set(_ value: Process) { lock.withLock { process = value } }
        func take() -> Process? { lock.withLock { defer { process = nil }; return process } }
    }
}
