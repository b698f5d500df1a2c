/// Why a Redis command did not get an answer (or got a refusal).
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with an error reply (`ERR …`, `NOSCRIPT …`, `WRONGTYPE …`).
    case server(String)
    /// No connection could be made, or it closed before the reply came.
    case unavailable(String)
    /// No reply within the command timeout (the connection is closed and made again).
    case timeout
    /// The bytes received are not RESP.
    case protocolViolation(String)
    /// A `redis://` URL that cannot be used.
    case invalidURL(String)

    public var description: String {
        switch self {
        case .server(let message): "redis refused the command: \(message)"
        case .unavailable(let reason): "redis unavailable: \(reason)"
        case .timeout: "redis did not answer in time"
        case .protocolViolation(let reason): "redis protocol violation: \(reason)"
        case .invalidURL(let reason): "invalid redis URL: \(reason)"
        }
    }
}
