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

    /// Opens one connection and closes it: start-up's first step, so a wrong password, an
    /// unknown database or an unreachable server is reported at once and in plain words (a
    /// pool retries quietly instead).
    /// - Throws: ``StoreError`` `unavailable` (cannot reach the server) or `storage` (the server
    ///   refused: authentication, unknown database), naming the server's reason.
    public func check(password: String? = nil, logger: Logger) async throws {
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
            try await connection.close()
        } catch {
            throw PostgresErrors.map(error, "connecting to \(redacted)")
        }
    }
}
