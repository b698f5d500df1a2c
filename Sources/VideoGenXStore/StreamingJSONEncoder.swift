import Foundation

/// Writes an `Encodable` value as compact JSON in one pass, straight into bytes: what
/// `JSONEncoder` with its default strategies writes, up to the order of an object's keys (which
/// `JSONEncoder` leaves to hashing, different in every process). `JSONEncoder` first builds a
/// tree of boxed values, which made a task's request column ~7 % of a submission's server CPU.
///
/// Values are written as their `encode(to:)` produces them; an object or array is closed when
/// something is next written further out. What one pass cannot write — a container written to
/// after a sibling opened, a second single value, a super encoder, `Decimal` — is handed whole to
/// `JSONEncoder` instead, so every value encodes either way.
package enum StreamingJSONEncoder {
    /// `value` as compact JSON text.
    /// - Throws: `EncodingError.invalidValue` for a non-finite number (as `JSONEncoder` does), or
    ///   what the value's own `encode(to:)` throws.
    package static func encode<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encodeBytes(value), as: UTF8.self)
    }

    /// `value` as compact JSON bytes; see ``encode(_:)``.
    package static func encodeBytes<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        try onePass(value) ?? Array(try fallback.encode(value))
    }

    /// The one-pass output, or `nil` when `value` uses a pattern one pass cannot write.
    /// - Throws: as ``encode(_:)``, when the pass itself could go on.
    package static func onePass<Value: Encodable>(_ value: Value) throws -> [UInt8]? {
        let sink = JSONSink()
        do {
            try sink.writeValue(value, depth: 0, path: nil, key: nil)
        } catch is JSONSink.Unsupported {
            return nil
        } catch where sink.unsupported {
            return nil // the value's own code caught the refusal and threw something else
        }
        sink.closeFrames(above: 0)
        return sink.unsupported ? nil : sink.bytes
    }

    /// For values one pass cannot write; its strategies are the defaults the pass mirrors.
    private static let fallback = JSONEncoder()
}

/// The output of one ``StreamingJSONEncoder`` pass and the containers still open in it.
final class JSONSink {
    /// A pattern one pass cannot write was used; the value goes to `JSONEncoder`.
    struct Unsupported: Error {}

    /// An open object or array.
    struct Frame {
        var isObject: Bool
        var count = 0
        /// Tells this frame from a later one at the same depth.
        let serial: Int
        /// The value encoder that opened it (asking for its container again reuses the frame).
        let owner: Int
    }

    var bytes: [UInt8] = []
    var frames: [Frame] = []
    var unsupported = false
    private var serials = 0

    init() {
        bytes.reserveCapacity(512)
    }

    func nextSerial() -> Int {
        serials += 1
        return serials
    }

    /// Marks the pass unsupported and returns the error that ends it.
    func giveUp() -> Unsupported {
        unsupported = true
        return Unsupported()
    }

    /// Closes the frames opened deeper than `depth` (their values are complete).
    func closeFrames(above depth: Int) {
        while frames.count > depth {
            bytes.append(frames.removeLast().isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    /// Opens a frame (the next depth) for the value encoder `owner`; returns its serial.
    func open(object: Bool, owner: Int) -> Int {
        let serial = nextSerial()
        bytes.append(object ? UInt8(ascii: "{") : UInt8(ascii: "["))
        frames.append(Frame(isObject: object, serial: serial, owner: owner))
        return serial
    }

    /// Gets the frame at `depth` (serial `serial`) ready for its next member: closes deeper ones,
    /// writes the separator. Returns the member's index.
    @discardableResult
    func beginMember(depth: Int, serial: Int) throws(Unsupported) -> Int {
        if unsupported { throw Unsupported() }
        closeFrames(above: depth + 1)
        guard frames.count == depth + 1, frames[depth].serial == serial else { throw giveUp() }
        let index = frames[depth].count
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[depth].count = index + 1
        return index
    }

    /// Writes `key` and its colon (after ``beginMember(depth:serial:)``).
    func writeKey(_ key: String) {
        writeString(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes one value of any type at `depth` (the number of frames around it).
    func writeValue<Value: Encodable>(_ value: Value, depth: Int, path: CodingPathLink?, key: (any CodingKey)?) throws {
        if try writePrimitive(value, path: path, key: key) { return }
        // The types JSONEncoder writes its own way rather than through their `encode(to:)`.
        if Value.self == Data.self {
            writeString(unsafeBitCast(value, to: Data.self).base64EncodedString())
            return
        }
        if Value.self == URL.self {
            writeString(unsafeBitCast(value, to: URL.self).absoluteString)
            return
        }
        if Value.self == Decimal.self { throw giveUp() }
        let start = bytes.count
        let encoder = JSONValueEncoder(sink: self, depth: depth, start: start, owner: nextSerial(), parent: path, key: key)
        try value.encode(to: encoder)
        if unsupported { throw Unsupported() }
        // A value that asked for no container is an empty object, as in JSONEncoder, which
        // refuses it at the top.
        if bytes.count == start, frames.count == depth {
            guard start > 0 else {
                throw EncodingError.invalidValue(value, EncodingError.Context(
                    codingPath: [], debugDescription: "Top-level \(Value.self) did not encode any values."
                ))
            }
            bytes.append(contentsOf: "{}".utf8)
        }
    }

    /// Writes `value` when it is a string, number or Boolean; `false` when it is not. Compares
    /// metatypes (a pointer each) rather than casting: most values reaching here are not primitives.
    private func writePrimitive<Value>(_ value: Value, path: CodingPathLink?, key: (any CodingKey)?) throws -> Bool {
        func bits<T>(_: T.Type) -> T { unsafeBitCast(value, to: T.self) }
        switch ObjectIdentifier(Value.self) {
        case ObjectIdentifier(String.self): writeString(bits(String.self))
        case ObjectIdentifier(Int.self): writeInteger(bits(Int.self))
        case ObjectIdentifier(Bool.self): writeBool(bits(Bool.self))
        case ObjectIdentifier(Double.self): try writeDouble(bits(Double.self), path: path, key: key)
        case ObjectIdentifier(Int64.self): writeInteger(bits(Int64.self))
        case ObjectIdentifier(UInt64.self): writeInteger(bits(UInt64.self))
        case ObjectIdentifier(Float.self): try writeFloat(bits(Float.self), path: path, key: key)
        case ObjectIdentifier(Int32.self): writeInteger(bits(Int32.self))
        case ObjectIdentifier(UInt32.self): writeInteger(bits(UInt32.self))
        case ObjectIdentifier(UInt.self): writeInteger(bits(UInt.self))
        case ObjectIdentifier(Int16.self): writeInteger(bits(Int16.self))
        case ObjectIdentifier(UInt16.self): writeInteger(bits(UInt16.self))
        case ObjectIdentifier(Int8.self): writeInteger(bits(Int8.self))
        case ObjectIdentifier(UInt8.self): writeInteger(bits(UInt8.self))
        default: return false
        }
        return true
    }

    func writeNull() {
        bytes.append(contentsOf: "null".utf8)
    }

    func writeBool(_ value: Bool) {
        bytes.append(contentsOf: value ? "true".utf8 : "false".utf8)
    }

    func writeInteger<Integer: BinaryInteger>(_ value: Integer) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite double as `JSONEncoder` writes it: Swift's shortest round-trip form, without a
    /// trailing `.0`.
    func writeDouble(_ value: Double, path: CodingPathLink?, key: (any CodingKey)?) throws {
        guard value.isFinite else { throw nonConforming(value, path: path, key: key) }
        writeNumber(value.description)
    }

    /// A finite float, as ``writeDouble(_:path:key:)``.
    func writeFloat(_ value: Float, path: CodingPathLink?, key: (any CodingKey)?) throws {
        guard value.isFinite else { throw nonConforming(value, path: path, key: key) }
        writeNumber(value.description)
    }

    private func writeNumber(_ text: String) {
        var utf8 = Substring(text).utf8
        if utf8.count > 2, utf8.last == UInt8(ascii: "0"), utf8.dropLast().last == UInt8(ascii: ".") { utf8 = utf8.dropLast(2) }
        bytes.append(contentsOf: utf8)
    }

    private func nonConforming(_ value: Any, path: CodingPathLink?, key: (any CodingKey)?) -> EncodingError {
        EncodingError.invalidValue(value, EncodingError.Context(
            codingPath: CodingPathLink.path(path, key), debugDescription: "Unable to encode \(value) directly in JSON."
        ))
    }

    /// A JSON string: quotes, backslashes, slashes and control characters escaped as
    /// `JSONEncoder` escapes them; everything else as its UTF-8.
    func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for (index, byte) in utf8.enumerated() {
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/"): escape = "\\/"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0x00..<0x20: escape = ""
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                if escape.utf8CodeUnitCount > 0 {
                    bytes.append(contentsOf: UnsafeBufferPointer(start: escape.utf8Start, count: escape.utf8CodeUnitCount))
                } else {
                    let hex: StaticString = "0123456789abcdef"
                    bytes.append(contentsOf: "\\u00".utf8)
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

/// One step of a coding path, shared by the values beneath it (built only where a container
/// opens, read only when someone asks for `codingPath`).
final class CodingPathLink {
    let parent: CodingPathLink?
    let key: (any CodingKey)?

    init(parent: CodingPathLink?, key: (any CodingKey)?) {
        self.parent = parent
        self.key = key
    }

    /// The keys from the top down to `link`, then `key`.
    static func path(_ link: CodingPathLink?, _ key: (any CodingKey)?) -> [any CodingKey] {
        var keys: [any CodingKey] = key.map { [$0] } ?? []
        var link = link
        while let step = link {
            if let key = step.key { keys.append(key) }
            link = step.parent
        }
        return keys.reversed()
    }
}

/// An array index as a coding key, as `JSONEncoder` names elements in coding paths.
struct IndexCodingKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) {
        intValue = index
    }

    init?(stringValue: String) {
        nil
    }

    init?(intValue: Int) {
        self.intValue = intValue
    }
}
