import Foundation
import Logging
import NIOSSL
import PostgresNIO
import VideoGenXStore

/// A `store.url` of the form `postgres://user@host:5432/db?sslmode=disable|prefer|require`
/// (`postgresql://` too), read into a `PostgresClient.Configuration`. The password is never
/// taken from the URL's text by the platform's configuration (it comes from
/// `VIDEOGENX_STORE_PASSWORD` or a file) and never appears in ``redacted``.
public struct PostgresStoreURL: Sendable, Hashable {
    /// Server host.
    public var host: String
    /// Server port. Default 5432.
    public var port: Int
    /// Role to connect as.
    public var username: String
    /// Database name. Default: the user name.
    public var database: String
    /// `sslmode`: `disable`, `prefer` (default) or `require`.
    public var sslMode: String
    /// A password written in the URL itself, if any (discouraged; kept out of logs).
    public var password: String?

    /// Parses `text`.
    /// - Throws: ``StoreError`` `invalidArgument` naming what is wrong.
    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw StoreError(.invalidArgument, "not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StoreError(.invalidArgument, "the URL names no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StoreError(.invalidArgument, "the URL names no user (postgres://USER@host/db)")
        }
        self.host = host
        port = components.port ?? 5432
        username = user.removingPercentEncoding ?? user
        password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? username : path
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(sslMode) else {
            throw StoreError(.invalidArgument, "sslmode must be disable, prefer or require, got \(sslMode)")
        }
    }

    /// The URL without any password, for logs and errors.
    public var redacted: String { "postgres://\(username)@\(host):\(port)/\(database)?sslmode=\(sslMode)" }

    /// The client configuration, with `password` (else the URL's own) and at most
    /// `maximumConnections` pooled connections.
    public func configuration(password: String? = nil, maximumConnections: Int = 20) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch sslMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password ?? self.password, database: database, tls: tls
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// Runs one statement that must run outside a transaction (`CREATE DATABASE …`,
    /// `DROP DATABASE …`) on a connection of its own: for the tests and benchmarks that make
    /// throwaway databases. `sql` is sent as written: never build it from user input.
    public func administer(_ sql: String, password: String? = nil, logger: Logger) async throws {
        try await withConnection(password: password, "running \(sql.prefix(40))", logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }

    /// Applies the schema migrations the database lacks (``PostgresMigrations``) on a connection
    /// of its own — at start-up, by `videogenx migrate`, before any store runs; returns the names
    /// applied. Connecting first reports a bad password or an unknown database plainly.
    @discardableResult
    public func migrate(password: String? = nil, logger: Logger) async throws -> [String] {
        try await withConnection(password: password, "migrating \(redacted)", logger: logger) { connection in
            try await PostgresMigrations.migrate(connection, logger: logger)
        }
    }

    /// `body` on a new connection (closed after), errors mapped to ``StoreError``s.
    private func withConnection<Result>(
        password: String?, _ what: String, logger: Logger, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        do {
            let tls: PostgresConnection.Configuration.TLS = switch sslMode {
            case "disable": .disable
            case "require": .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            var configuration = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password ?? self.password, database: database, tls: tls
            )
            configuration.options.connectTimeout = .seconds(5)
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
            return result
        } catch {
            throw PostgresErrors.map(error, what)
        }
    }
}
