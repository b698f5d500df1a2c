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
        bytesField(field, value.utf8)
    }

    /// A string field written even when empty (inside a oneof).
    mutating func presentStringField(_ field: Int, _ value: String) {
        key(field, 2)
        varint(UInt64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
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
