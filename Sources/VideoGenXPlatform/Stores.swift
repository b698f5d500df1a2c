import Foundation
import Logging
import ServiceLifecycle
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXStoreSQLite

/// The task and credential stores a process runs on, built from `store.url`: the one place that
/// names the drivers (DESIGN §2). PostgreSQL is migrated first (under its advisory lock) and
/// its pool runs as a service of the role's group.
struct Stores {
    /// Tasks, queue and the callback outbox, measured (``InstrumentedTaskStore``).
    let tasks: any TaskStore & CallbackOutbox
    /// API keys and nonces.
    let credentials: any CredentialStore
    /// What must run for the stores to answer (the PostgreSQL pool and event listener).
    let services: [any Service]
    /// The PostgreSQL store, for the worker's partition maintenance; `nil` on SQLite.
    let postgres: PostgresTaskStore?

    /// Opens the stores `configuration` names.
    /// - Throws: ``ConfigurationError`` for `store.url` when the database cannot be reached or
    ///   migrated; SQLite's errors when its files cannot be opened.
    static func open(_ configuration: ServeConfiguration, logger: Logger) async throws -> Stores {
        switch configuration.storeLocation {
        case .sqlite(let path):
            let file = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]
            )
            let tasks = try SQLiteTaskStore(path: path)
            let credentials = try SQLiteCredentialStore(path: file.deletingLastPathComponent().appendingPathComponent("credentials.sqlite").path)
            return Stores(tasks: InstrumentedTaskStore(tasks), credentials: credentials, services: [tasks], postgres: nil)
        case .postgres(let url):
            let client = url.configuration(password: configuration.storePassword, maximumConnections: configuration.storeMaxConnections)
            do {
                let applied = try await configuration.storeLocation.migrate(password: configuration.storePassword, logger: logger)
                logger.info("task store ready", metadata: ["store.url": "\(url.redacted)", "migrations.applied": "\(applied.count)"])
            } catch {
                throw ConfigurationError(key: "store.url", reason: "cannot prepare \(url.redacted): \(error)")
            }
            let tasks = PostgresTaskStore(
                configuration: client, operationTimeout: .milliseconds(Int(configuration.storeOperationTimeoutSeconds * 1000)), logger: logger
            )
            return Stores(tasks: InstrumentedTaskStore(tasks), credentials: PostgresCredentialStore(sharing: tasks), services: [tasks], postgres: tasks)
        }
    }

    /// Runs `body` with the stores' services running beside it (cancelled when it returns): what
    /// every user of the stores outside a service group needs.
    func whileRunning<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services {
                group.addTask { try await service.run() }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

extension StoreLocation {
    /// Applies the schema migrations this store lacks and returns their names (`videogenx
    /// migrate`, and every role at start). PostgreSQL: one connection is opened first so a wrong
    /// password, unknown database or unreachable server is reported at once with the server's
    /// reason; SQLite migrates on open and lists nothing.
    public func migrate(password: String?, logger: Logger = Logger(label: "videogenx.migrate")) async throws -> [String] {
        switch self {
        case .sqlite(let path):
            _ = try SQLiteTaskStore(path: path)
            return []
        case .postgres(let url):
            return try await url.migrate(password: password, logger: logger)
        }
    }
}
