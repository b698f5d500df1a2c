import ArgumentParser
import Configuration
import Foundation
import Logging
import ServiceLifecycle
import SystemPackage
import VideoGenXPlatform

/// The settings every long-running role reads. Settings come from flags, then `VIDEOGENX_*`
/// environment variables, then the `--config` JSON file, then the defaults (README "Configuration").
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on (http.host). (default: 127.0.0.1)")
    var host: String?

    @Option(help: "Port to listen on, 0 picks a free one (http.port). (default: 8000)")
    var port: Int?

    @Option(name: .customLong("data-dir"), help: "Folder for the database, objects and keys (data_dir). (default: ./data)")
    var dataDir: String?

    @Option(name: .customLong("config"), help: "A JSON configuration file; flags and environment variables override it.")
    var configFile: String?

    @Option(name: .customLong("public-url"), help: "Base URL clients use to reach this server (http.public_url). (default: http://HOST:PORT)")
    var publicURL: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (log.level). (default: info)")
    var logLevel: String?

    @Option(name: .customLong("url-allowlist"), help: "Comma-separated hosts that user-given URLs may name although they resolve to private addresses (security.url_allowlist).")
    var urlAllowlist: String?

    @Flag(inversion: .prefixedNo, help: "Run the in-process worker; --no-worker serves the API alone (worker.enabled). (default: --worker)")
    var worker: Bool?

    @Option(name: .customLong("lease-seconds"), help: "Worker lease length; a crashed worker's task is retried after it (worker.lease_seconds). (default: 30)")
    var leaseSeconds: Double?

    @Option(name: .customLong("store-url"), help: "The task store: sqlite:///PATH or postgres://USER@HOST:5432/DB?sslmode=… (store.url); the password comes from VIDEOGENX_STORE_PASSWORD or store.password_file. (default: sqlite://DATA_DIR/tasks.sqlite)")
    var storeURL: String?

    @Option(name: .customLong("objects-url"), help: "The object store: file:///PATH or s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=… (objects.url). (default: file://DATA_DIR/objects)")
    var objectsURL: String?

    @Option(name: .customLong("worker-port"), help: "Port of the worker role's /healthz and /readyz (worker.http_port). (default: 8001)")
    var workerPort: Int?

    /// Reads the configuration and runs `role` until it is shut down.
    func run(role: Role) async throws {
        let configuration: ServeConfiguration
        do {
            configuration = try ServeConfiguration(reader: try await reader())
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: configuration: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("error: --config \(configFile ?? ""): \(error)\n".utf8))
            throw ExitCode(2)
        }
        let telemetry = TelemetryBackends.bootstrap(configuration, role: role)
        var logger = Logger(label: "videogenx")
        logger.logLevel = configuration.logLevel
        let address = role == .worker ? "http://\(configuration.host):\(configuration.workerHTTPPort) (health only)" : configuration.baseURL
        do {
            try await ServeApplication.run(configuration, role: role, logger: logger, metrics: telemetry.metrics, telemetry: telemetry.services) {
                // Written unbuffered: under a process manager stdout is a file and print would hold it back.
                FileHandle.standardOutput.write(Data(
                    "VideoGenX \(role.rawValue) listening on \(address) (store \(configuration.storeLocation), data in \(configuration.dataDirectory.path))\n".utf8
                ))
            }
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: configuration: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Flags first, then `VIDEOGENX_*` environment variables, then the file.
    private func reader() async throws -> ConfigReader {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        func set(_ key: AbsoluteConfigKey, _ content: ConfigContent?) {
            if let content { flags[key] = ConfigValue(content, isSecret: false) }
        }
        set("http.host", host.map(ConfigContent.string))
        set("http.port", port.map(ConfigContent.int))
        set("data_dir", dataDir.map(ConfigContent.string))
        set("http.public_url", publicURL.map(ConfigContent.string))
        set("log.level", logLevel.map(ConfigContent.string))
        set("security.url_allowlist", urlAllowlist.map(ConfigContent.string))
        set("worker.enabled", worker.map(ConfigContent.bool))
        set("worker.lease_seconds", leaseSeconds.map(ConfigContent.double))
        set("store.url", storeURL.map(ConfigContent.string))
        set("objects.url", objectsURL.map(ConfigContent.string))
        set("worker.http_port", workerPort.map(ConfigContent.int))
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider().prefixKeys(with: "videogenx"),
        ]
        if let configFile {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(configFile)))
        }
        return ConfigReader(providers: providers)
    }
}

/// `videogenx serve`: the HTTP API, an in-process worker and the webhook dispatcher in one
/// process, on the embedded defaults unless configured otherwise.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API and a worker in one process (SQLite + local folder + procedural model).",
        discussion: "Every setting is also a configuration key (JSON file via --config, or VIDEOGENX_<KEY> in the environment); see the README's configuration table."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await options.run(role: .serve)
    }
}

/// `videogenx api`: the HTTP API only (cluster mode: workers run elsewhere on the same store).
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Run the HTTP API only; workers on the same store (store.url) render the tasks.",
        discussion: "Same settings as serve; see the README's \"Scaling out\"."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await options.run(role: .api)
    }
}

/// `videogenx worker`: devices, batch scheduler, lease sweep, callbacks and partition
/// maintenance, with `/healthz` and `/readyz` on `worker.http_port`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Claim, render and upload tasks and deliver callbacks; health on --worker-port.",
        discussion: "Same settings as serve; see the README's \"Scaling out\"."
    )

    @OptionGroup var options: ServeOptions

    func run() async throws {
        try await options.run(role: .worker)
    }
}
