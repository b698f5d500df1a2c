import Foundation
import VideoGenXStorePostgres

/// Where tasks and credentials live (`store.url`): an SQLite file (embedded) or a PostgreSQL
/// database shared by every `api` and `worker` process (cluster).
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// `sqlite:///path/tasks.sqlite` (or `sqlite://./relative.sqlite`): the task store file; the
    /// credential store is `credentials.sqlite` beside it.
    case sqlite(path: String)
    /// `postgres://user@host:5432/db?sslmode=…`.
    case postgres(PostgresStoreURL)

    /// Parses a `store.url` value.
    /// - Throws: ``ConfigurationError`` for `store.url` naming the accepted forms.
    public init(url text: String) throws {
        if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else {
                throw ConfigurationError(key: "store.url", reason: "sqlite:// needs a file path, e.g. sqlite:///./data/tasks.sqlite")
            }
            // sqlite:///abs/path → /abs/path; sqlite:///./rel → ./rel (relative to the working directory).
            self = .sqlite(path: path.hasPrefix("/./") || path.hasPrefix("/../") ? String(path.dropFirst()) : path)
            return
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            do {
                self = .postgres(try PostgresStoreURL(text))
            } catch {
                throw ConfigurationError(key: "store.url", reason: "\(error)")
            }
            return
        }
        throw ConfigurationError(
            key: "store.url", reason: "must be sqlite:///PATH or postgres://USER@HOST:PORT/DB?sslmode=…, got '\(text.prefix(40))'"
        )
    }

    /// The URL for logs: never a password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path.hasPrefix("/") ? "" : "/")\(path)"
        case .postgres(let url): url.redacted
        }
    }
}
