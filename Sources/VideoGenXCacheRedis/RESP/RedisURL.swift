import Foundation

/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Hashable {
    /// Host name or address.
    public var host: String
    /// TCP port (default 6379).
    public var port: Int
    /// ACL user (`nil`: the default user).
    public var user: String?
    /// Password sent with `AUTH` (`nil`: none).
    public var password: String?
    /// Database number chosen with `SELECT` (default 0).
    public var database: Int

    /// Parses `text`.
    /// - Throws: ``RedisError/invalidURL(_:)`` naming what is wrong (never the password).
    public init(_ text: String) throws(RedisError) {
        guard let components = URLComponents(string: text), components.scheme == "redis" else {
            throw .invalidURL("expected redis://host[:port][/db]")
        }
        guard let host = components.host, !host.isEmpty else { throw .invalidURL("no host") }
        self.host = host
        port = components.port ?? 6379
        guard (1...65535).contains(port) else { throw .invalidURL("port out of range") }
        user = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        password = components.password?.removingPercentEncoding
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.isEmpty {
            database = 0
        } else if let number = Int(path), number >= 0 {
            database = number
        } else {
            throw .invalidURL("the path must be a database number")
        }
    }
}
