/// The protobuf wire format, write side only, for the handful of field kinds OTLP's trace messages
/// use (varint, fixed64, double, length-delimited). Hand-written: swift-otel keeps its generated
/// OTLP types package-internal, and generating them here would bring protoc and swift-protobuf's
/// plugin into the build for ~15 fields.
struct ProtobufWriter {
    /// The encoded bytes so far.
    private(set) var bytes: [UInt8] = []

    /// An empty writer with room for `capacity` bytes.
    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    private mutating func key(_ field: Int, _ wireType: UInt8) {
        varint(UInt64(field) << 3 | UInt64(wireType))
    }

    /// Bytes of `value` as a varint.
    static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Appends a string's UTF-8 bytes in one copy (native strings are contiguous already).
    private mutating func appendUTF8(_ value: String) {
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// A varint field (uint32, uint64, int64 as two's complement, enum, bool); zero is not written,
    /// as proto3 leaves defaults out.
    mutating func varintField(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, 0)
        varint(value)
    }

    /// A fixed64 field (OTLP's nanosecond timestamps).
    mutating func fixed64Field(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        key(field, 1)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A fixed32 field (OTLP's span flags).
    mutating func fixed32Field(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        key(field, 5)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A double field, written even when zero (it sits in a oneof, where presence matters).
    mutating func doubleField(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A bytes field; empty is not written.
    mutating func bytesField(_ field: Int, _ value: some Collection<UInt8>) {
        guard !value.isEmpty else { return }
        key(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// A string field (UTF-8); empty is not written.
    mutating func stringField(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        presentStringField(field, value)
    }

    /// A string field written even when empty (inside a oneof).
    mutating func presentStringField(_ field: Int, _ value: String) {
        key(field, 2)
        varint(UInt64(value.utf8.count))
        appendUTF8(value)
    }

    /// The bytes of an OTLP `KeyValue`'s key (field 1), encoded once for a name used on every
    /// span (the HTTP attributes), so that only the value is encoded per span.
    struct EncodedKey: Sendable {
        /// Tag, length and UTF-8 name.
        let bytes: [UInt8]

        /// The key `name`.
        init(_ name: String) {
            var writer = ProtobufWriter(capacity: name.utf8.count + 2)
            writer.stringField(1, name)
            bytes = writer.bytes
        }
    }

    /// A `KeyValue` in field `field` with a pre-encoded key and a string `AnyValue`, its lengths
    /// computed up front (no reserved length byte to widen afterwards).
    mutating func keyValue(_ field: Int, _ key: EncodedKey, string value: String) {
        let count = value.utf8.count
        let anyValue = 1 + Self.varintSize(UInt64(count)) + count
        keyValueHead(field, key, anyValueLength: anyValue)
        presentStringField(1, value)  // AnyValue.string_value
    }

    /// A `KeyValue` in field `field` with a pre-encoded key and an int `AnyValue`.
    mutating func keyValue(_ field: Int, _ key: EncodedKey, int value: Int64) {
        let wire = UInt64(bitPattern: value)
        keyValueHead(field, key, anyValueLength: 1 + Self.varintSize(wire))
        presentVarintField(3, wire)  // AnyValue.int_value
    }

    /// The `KeyValue`'s tag and length, its key, and the tag and length of its `AnyValue`.
    private mutating func keyValueHead(_ field: Int, _ key: EncodedKey, anyValueLength: Int) {
        let content = key.bytes.count + 1 + Self.varintSize(UInt64(anyValueLength)) + anyValueLength
        self.key(field, 2)
        varint(UInt64(content))
        bytes.append(contentsOf: key.bytes)
        self.key(2, 2)  // KeyValue.value, length-delimited
        varint(UInt64(anyValueLength))
    }

    /// A varint field written even when zero (inside a oneof).
    mutating func presentVarintField(_ field: Int, _ value: UInt64) {
        key(field, 0)
        varint(value)
    }

    /// An embedded message, written by `body` into this same buffer (written even when empty: a
    /// present submessage). One length byte is reserved and widened in place when the message
    /// turns out longer than 127 bytes, so nesting allocates nothing.
    mutating func messageField(_ field: Int, _ body: (inout ProtobufWriter) -> Void) {
        key(field, 2)
        let lengthAt = bytes.count
        bytes.append(0)
        body(&self)
        var length = UInt64(bytes.count - lengthAt - 1)
        bytes[lengthAt] = UInt8(truncatingIfNeeded: length) | (length >= 0x80 ? 0x80 : 0)
        length >>= 7
        var at = lengthAt + 1
        while length > 0 {
            bytes.insert(UInt8(truncatingIfNeeded: length) | (length >= 0x80 ? 0x80 : 0), at: at)
            length >>= 7
            at += 1
        }
    }
}
