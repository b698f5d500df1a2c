import NIOCore

/// Writes commands as RESP arrays of bulk strings, the form every Redis command takes.
enum RESPEncoder {
    /// Appends the command `arguments` (name first) to `buffer`.
    static func write(_ arguments: [String], into buffer: inout ByteBuffer) {
        buffer.writeStaticString("*")
        buffer.writeString(String(arguments.count))
        buffer.writeStaticString("\r\n")
        for argument in arguments {
            buffer.writeStaticString("$")
            buffer.writeString(String(argument.utf8.count))
            buffer.writeStaticString("\r\n")
            buffer.writeString(argument)
            buffer.writeStaticString("\r\n")
        }
    }
}

/// Reads RESP2 values off a connection's bytes; a value split across reads waits for the rest.
struct RESPDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = RESPValue

    /// Nesting deeper than this is refused (no reply of ours nests beyond two levels).
    static let maximumDepth = 32
    /// A bulk string longer than this is refused as a protocol violation (Redis's own limit is 512 MiB).
    static let maximumBulkLength = 64 << 20

    mutating func decode(buffer: inout ByteBuffer) throws -> RESPValue? {
        var copy = buffer
        guard let value = try Self.parse(&copy, depth: 0) else { return nil }
        buffer.moveReaderIndex(to: copy.readerIndex)
        return value
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> RESPValue? {
        try decode(buffer: &buffer)
    }

    /// One value from the front of `buffer`, or `nil` when it has not fully arrived (the
    /// buffer's reader index is then meaningless; the caller parses a copy).
    static func parse(_ buffer: inout ByteBuffer, depth: Int) throws -> RESPValue? {
        guard depth < maximumDepth else { throw RedisError.protocolViolation("reply nested deeper than \(maximumDepth)") }
        guard let kind = buffer.readInteger(as: UInt8.self), let line = readLine(&buffer) else { return nil }
        switch kind {
        case UInt8(ascii: "+"): return .simpleString(line)
        case UInt8(ascii: "-"): return .error(line)
        case UInt8(ascii: ":"):
            guard let value = Int(line) else { throw RedisError.protocolViolation("bad integer \(line.prefix(32))") }
            return .integer(value)
        case UInt8(ascii: "$"):
            guard let length = Int(line), length >= -1, length <= maximumBulkLength else {
                throw RedisError.protocolViolation("bad bulk length \(line.prefix(32))")
            }
            if length == -1 { return .bulkString(nil) }
            guard buffer.readableBytes >= length + 2, let bytes = buffer.readBytes(length: length) else { return nil }
            guard buffer.readInteger(as: UInt16.self) == 0x0D0A else { throw RedisError.protocolViolation("bulk string not ended by CRLF") }
            return .bulkString(bytes)
        case UInt8(ascii: "*"):
            guard let count = Int(line), count >= -1 else { throw RedisError.protocolViolation("bad array length \(line.prefix(32))") }
            if count == -1 { return .array(nil) }
            var values: [RESPValue] = []
            values.reserveCapacity(min(count, 1024))
            for _ in 0..<count {
                guard let value = try parse(&buffer, depth: depth + 1) else { return nil }
                values.append(value)
            }
            return .array(values)
        default:
            throw RedisError.protocolViolation("unknown reply type byte \(kind)")
        }
    }

    /// The text up to the next CRLF (consumed with it), or `nil` when no CRLF has arrived yet.
    private static func readLine(_ buffer: inout ByteBuffer) -> String? {
        let view = buffer.readableBytesView
        guard let cr = view.firstIndex(of: 0x0D), view.index(after: cr) < view.endIndex else { return nil }
        let length = cr - view.startIndex
        let line = buffer.readString(length: length)
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }
}
