import Foundation
import Subprocess
import SystemPackage

/// A PostgreSQL cluster of one test's own, for fault tests that stop and restart the server
/// (the run's shared cluster must stay up for the other suites). Made with the binaries
/// `scripts/with-postgres.sh` found (as the `postgres` OS user when run as root), on a free
/// loopback port, fsync on; ``destroy()`` stops it and removes its folder.
public final class PrivatePostgresCluster: Sendable {
    /// `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`.
    public let url: String
    private let bin: String
    private let data: String
    private let folder: String
    private let options: String
    private let runAs: [String]

    /// Initialises and starts a cluster.
    public init() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let bin = environment["VIDEOGENX_TEST_PG_BIN"] else {
            throw PostgresTestServer.TestServerError("no PostgreSQL binaries: run the tests through scripts/with-postgres.sh")
        }
        self.bin = bin
        runAs = (environment["VIDEOGENX_TEST_PG_RUNAS"] ?? "").split(separator: " ").map(String.init)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-pg-private-\(UUID().uuidString.prefix(8))").path
        data = folder + "/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if !runAs.isEmpty {
            try await Self.shell(["chown", "postgres:", folder])
        }
        let port = try LoopbackPort.free()
        options = "-h 127.0.0.1 -p \(port) -k \(folder) -c fsync=on -c max_connections=100"
        url = "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable"
        try await Self.shell(runAs + ["\(bin)/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-instructions"])
        try await start()
    }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        try await Self.shell(runAs + ["\(bin)/pg_ctl", "-D", data, "-l", folder + "/server.log", "-o", options, "-w", "-t", "60", "start"])
    }

    /// Stops the server (`-m fast`: open connections are closed, as a restart does).
    public func stop() async throws {
        try await Self.shell(runAs + ["\(bin)/pg_ctl", "-D", data, "-m", "fast", "-w", "stop"])
    }

    /// Stops the server for good and removes its folder.
    public func destroy() async {
        try? await Self.shell(runAs + ["\(bin)/pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs a command to its end; throws when it fails. (Through swift-subprocess, like the
    /// tests' server processes: Foundation's `Process` never saw its child exit beside it.)
    private static func shell(_ arguments: [String]) async throws {
        let result = try await Subprocess.run(
            .path(FilePath("/usr/bin/env")), arguments: Arguments(arguments), input: .none, output: .discarded, error: .discarded
        )
        guard result.terminationStatus.isSuccess else {
            throw PostgresTestServer.TestServerError("\(arguments.joined(separator: " ")) ended \(result.terminationStatus)")
        }
    }
}
