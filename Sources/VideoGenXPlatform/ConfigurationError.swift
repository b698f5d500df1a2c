/// A configuration value that cannot be used: start-up fails with the key, the accepted values
/// and what was given.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The dotted key, e.g. `http.port` (environment `VIDEOGENX_HTTP_PORT`).
    public var key: String
    /// What is accepted and what was given.
    public var reason: String

    /// Creates an error.
    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    /// `key: reason`.
    public var description: String { "\(key): \(reason)" }
}
