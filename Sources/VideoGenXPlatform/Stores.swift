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
    /// Tasks, queue and the callback outbox.
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
            return Stores(tasks: tasks, credentials: credentials, services: [tasks], postgres: nil)
        case .postgres(let url):
            let client = url.configuration(password: configuration.storePassword, maximumConnections: configuration.storeMaxConnections)
            do {
                try await url.check(password: configuration.storePassword, logger: logger)
                let applied = try await PostgresMigrations.migrate(configuration: client, logger: logger)
                logger.info("task store ready", metadata: ["store.url": "\(url.redacted)", "migrations.applied": "\(applied.count)"])
            } catch {
                throw ConfigurationError(key: "store.url", reason: "cannot prepare \(url.redacted): \(error)")
            }
            let tasks = PostgresTaskStore(
                configuration: client, operationTimeout: .milliseconds(Int(configuration.storeOperationTimeoutSeconds * 1000)), logger: logger
            )
            return Stores(tasks: tasks, credentials: PostgresCredentialStore(sharing: tasks), services: [tasks], postgres: tasks)
        }
    }

    /// Applies the schema migrations of `location` and returns their names (`videogenx migrate`).
    static func migrate(_ location: StoreLocation, password: String?, logger: Logger) async throws -> [String] {
        switch location {
        case .sqlite(let path):
            // Opening migrates.
            _ = try SQLiteTaskStore(path: path)
            return []
        case .postgres(let url):
            try await url.check(password: password, logger: logger)
            return try await PostgresMigrations.migrate(configuration: url.configuration(password: password, maximumConnections: 1), logger: logger)
        }
    }
}

/// `videogenx migrate`'s entry: the schema migrations of a store, applied without running it.
public enum StoreMigration {
    /// Applies the migrations `location` lacks; returns their names (SQLite's are applied on
    /// open and not listed).
    public static func run(_ location: StoreLocation, password: String?) async throws -> [String] {
        try await Stores.migrate(location, password: password, logger: Logger(label: "videogenx.migrate"))
    }
}
