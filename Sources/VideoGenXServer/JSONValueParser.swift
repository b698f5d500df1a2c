/// Reads a request body (RFC 8259 JSON, UTF-8) straight into a ``JSONValue``.
///
/// Hand-written because decoding `JSONValue` through `JSONDecoder` probes each value's type by
/// trying to decode it as one type after another, and every failed try builds a `DecodingError`:
/// 5.5 % of a submission's server CPU (docs/benchmarks.md). Its answers are `JSONDecoder`'s: the
/// same values (a number becomes `.integer` when it is an exact `Int64`, else `.unsigned` when an
/// exact `UInt64`, else `.number`; a repeated key keeps its first value; a comma before a closing
/// bracket is allowed) and a failure wherever `JSONDecoder` fails on UTF-8 input; a differential
/// test holds it to that.
struct JSONValueParser {
    /// The body is not JSON (the API answers `400 malformed_json`).
    struct Malformed: Error, Equatable {}

    /// Nesting deeper than this fails, as `JSONDecoder`'s does.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one JSON value in `data`, with only whitespace around it.
    /// - Throws: ``Malformed``.
    static func parse(_ data: some Collection<UInt8>) throws(Malformed) -> JSONValue {
        let parsed: Result<JSONValue, Malformed>? = data.withContiguousStorageIfAvailable { Self.parse(buffer: $0) }
        return try (parsed ?? Self.parseCopy(Array(data))).get()
    }

    private static func parseCopy(_ bytes: [UInt8]) -> Result<JSONValue, Malformed> {
        bytes.withUnsafeBufferPointer { parse(buffer: $0) }
    }

    private static func parse(buffer: UnsafeBufferPointer<UInt8>) -> Result<JSONValue, Malformed> {
        var parser = JSONValueParser(buffer)
        do throws(Malformed) {
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.index == buffer.count else { throw Malformed() }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private mutating func value(depth: Int) throws(Malformed) -> JSONValue {
        guard index < bytes.count else { throw Malformed() }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return try number()
        }
    }

    private mutating func object(depth: Int) throws(Malformed) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Malformed() }
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return .object(members) }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Malformed() }
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw Malformed() }
            skipWhitespace()
            let member = try value(depth: depth)
            if members[key] == nil { members[key] = member }
            skipWhitespace()
            guard consume(UInt8(ascii: ",")) else { break }
            skipWhitespace()
            // A comma before the closing brace is allowed, as JSONDecoder allows it.
            if consume(UInt8(ascii: "}")) { return .object(members) }
        }
        guard consume(UInt8(ascii: "}")) else { throw Malformed() }
        return .object(members)
    }

    private mutating func array(depth: Int) throws(Malformed) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw Malformed() }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            elements.append(try value(depth: depth))
            skipWhitespace()
            guard consume(UInt8(ascii: ",")) else { break }
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return .array(elements) }
        }
        guard consume(UInt8(ascii: "]")) else { throw Malformed() }
        return .array(elements)
    }

    /// A string starting at the opening quote; escapes resolved, UTF-8 checked.
    private mutating func string() throws(Malformed) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self) else {
                    throw Malformed()
                }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw Malformed() }
            index += 1
        }
        var text = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let decoded = String(validating: text, as: UTF8.self) else { throw Malformed() }
                return decoded
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case 0..<0x20:
                throw Malformed()
            default:
                text.append(byte)
            }
        }
        throw Malformed()
    }

    /// The escape after a backslash, appended to `text` as UTF-8.
    private mutating func escape(into text: inout [UInt8]) throws(Malformed) {
        guard index < bytes.count else { throw Malformed() }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hex4())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw Malformed() }
                let low = UInt32(try hex4())
                guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
            text.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw Malformed()
        }
    }

    private mutating func hex4() throws(Malformed) -> UInt16 {
        guard index + 4 <= bytes.count else { throw Malformed() }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Malformed()
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    /// A number by the JSON grammar, in the narrowest case that holds it exactly.
    private mutating func number() throws(Malformed) -> JSONValue {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw Malformed() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if consume(UInt8(ascii: ".")) {
            integral = false
            try digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            try digits()
        }
        let token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral {
            if let value = Int64(token) { return .integer(value) }
            if let value = UInt64(token) { return .unsigned(value) }
        }
        guard let value = Double(token), value.isFinite else { throw Malformed() }
        if let exact = Int64(exactly: value) { return .integer(exact) }
        if let exact = UInt64(exactly: value) { return .unsigned(exact) }
        return .number(value)
    }

    private mutating func digits() throws(Malformed) {
        guard index < bytes.count, isDigit(bytes[index]) else { throw Malformed() }
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Malformed() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw Malformed()
        }
        index += count
    }

    /// Steps over `byte` when it is next.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
