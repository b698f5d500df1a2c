import ArgumentParser
import Foundation
import Hummingbird
import Logging
import VideoGenXPlatform

/// `videogenx serve`: the HTTP API and an in-process worker on the embedded defaults.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and a worker in one process (SQLite + local folder + procedural model)."
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = 8000

    @Option(name: .customLong("data-dir"), help: "Folder for the database, objects and keys.")
    var dataDir = "./data"

    @Option(name: .customLong("public-url"), help: "Base URL clients use to reach this server. (default: http://HOST:PORT)")
    var publicURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(name: .customLong("url-allowlist"), help: "Comma-separated hosts that user-given URLs may name although they resolve to private addresses.")
    var urlAllowlist = ""

    @Flag(inversion: .prefixedNo, help: "Run the in-process worker (--no-worker: API only, e.g. for load tests of the API).")
    var worker = true

    @Option(name: .customLong("lease-seconds"), help: "Worker lease length; a crashed worker's task is retried after it.")
    var leaseSeconds: Double = 30

    func run() async throws {
        guard (0...65535).contains(port) else {
            FileHandle.standardError.write(Data("error: --port: must be 0–65535, got \(port)\n".utf8))
            throw ExitCode(2)
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            FileHandle.standardError.write(Data("error: --log-level: must be trace, debug, info, notice, warning, error or critical, got '\(logLevel)'\n".utf8))
            throw ExitCode(2)
        }
        guard leaseSeconds >= 1 else {
            FileHandle.standardError.write(Data("error: --lease-seconds: must be at least 1, got \(leaseSeconds)\n".utf8))
            throw ExitCode(2)
        }
        var logger = Logger(label: "videogenx")
        logger.logLevel = level
        var configuration = ServeConfiguration(host: host, port: port, dataDirectory: URL(fileURLWithPath: dataDir), publicBaseURL: publicURL)
        configuration.runsWorker = worker
        configuration.urlAllowlist = urlAllowlist.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        configuration.worker.leaseSeconds = leaseSeconds
        configuration.worker.heartbeatSeconds = max(0.5, leaseSeconds / 3)
        configuration.worker.reapSeconds = max(0.5, min(5, leaseSeconds / 2))
        let app = try ServeApplication.build(configuration, logger: logger)
        // Written unbuffered: under a process manager stdout is a file and print would hold it back.
        FileHandle.standardOutput.write(Data("VideoGenX listening on \(configuration.baseURL) (data in \(dataDir))\n".utf8))
        try await app.runService()
    }
}
