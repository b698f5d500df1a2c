/// One value of the Redis serialisation protocol (RESP2): what a command is answered with.
public enum RESPValue: Sendable, Hashable {
    /// `+OK`.
    case simpleString(String)
    /// `-ERR …`: the server refused the command.
    case error(String)
    /// `:42`.
    case integer(Int)
    /// `$n` bytes, or `nil` for the null bulk string (a missing key).
    case bulkString([UInt8]?)
    /// `*n` values, or `nil` for the null array.
    case array([RESPValue]?)

    /// The value as text: simple and bulk strings, and integers in decimal; `nil` otherwise.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// The value as an integer: integers, and strings holding a decimal integer.
    public var int: Int? {
        if case .integer(let value) = self { return value }
        return string.flatMap { Int($0) }
    }

    /// Whether this is a null bulk string or null array.
    public var isNull: Bool {
        switch self {
        case .bulkString(nil), .array(nil): true
        default: false
        }
    }
}
