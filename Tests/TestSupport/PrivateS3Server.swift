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
    public var port: Int { server.port }
    private let server: ToolServer

    /// A server on a free loopback port, not started yet.
    public init() throws {
        server = try ToolServer()
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
        try await server.start(root.appendingPathComponent(".venv-s3/bin/moto_server"), arguments: ["-H", "127.0.0.1", "-p", String(port)])
        // Subprocess, not Process.waitUntilExit: that spins a run loop on a cooperative thread.
        let setup = try await Subprocess.run(
            .path(FilePath(S3TestServer.python)), arguments: [S3TestServer.tools.appendingPathComponent("setup_moto.py").path, endpoint],
            input: .none, output: .discarded, error: .discarded
        )
        guard setup.terminationStatus.isSuccess else {
            throw PostgresTestServer.TestServerError("setting up moto on port \(port) ended \(setup.terminationStatus)")
        }
    }

    /// Stops moto (SIGKILL, see ``ToolServer/stop()``).
    public func stop() {
        server.stop()
    }
}
