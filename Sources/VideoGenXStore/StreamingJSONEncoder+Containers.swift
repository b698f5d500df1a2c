/// The `Encoder` one value is written through: its first container (or single value) decides
/// what the value is; asking for its keyed or unkeyed container again continues the same one.
struct JSONValueEncoder: Encoder {
    let sink: JSONSink
    /// Frames around the value: its own container, if any, is frame `depth`.
    let depth: Int
    /// Where the value starts in the output (nothing written yet while `bytes.count == start`).
    let start: Int
    /// Identifies this encoder as the owner of the frame it opens.
    let owner: Int
    let parent: CodingPathLink?
    let key: (any CodingKey)?

    var codingPath: [any CodingKey] { CodingPathLink.path(parent, key) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The serial of this value's frame, opening it first when nothing of the value is written;
    /// `nil` when it cannot be continued in one pass.
    private func frame(object: Bool) -> Int? {
        guard !sink.unsupported else { return nil }
        if sink.bytes.count == start, sink.frames.count == depth {
            return sink.open(object: object, owner: owner)
        }
        guard sink.frames.count > depth, sink.frames[depth].owner == owner, sink.frames[depth].isObject == object else { return nil }
        return sink.frames[depth].serial
    }

    private var link: CodingPathLink? {
        key == nil ? parent : CodingPathLink(parent: parent, key: key)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let serial = frame(object: true) ?? { _ = sink.giveUp(); return 0 }()
        return KeyedEncodingContainer(JSONKeyedContainer<Key>(sink: sink, depth: depth, serial: serial, link: link))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let serial = frame(object: false) ?? { _ = sink.giveUp(); return 0 }()
        return JSONUnkeyedContainer(sink: sink, depth: depth, serial: serial, link: link)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueContainer(encoder: self)
    }
}

/// An object's members, written in the order they are encoded.
struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: JSONSink
    let depth: Int
    let serial: Int
    let link: CodingPathLink?

    var codingPath: [any CodingKey] { CodingPathLink.path(link, nil) }

    private func member(_ key: Key) throws {
        try sink.beginMember(depth: depth, serial: serial)
        sink.writeKey(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws {
        try member(key)
        sink.writeNull()
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try member(key)
        sink.writeBool(value)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        try member(key)
        sink.writeString(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try member(key)
        try sink.writeDouble(value, path: link, key: key)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try member(key)
        try sink.writeFloat(value, path: link, key: key)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws {
        try member(key)
        sink.writeInteger(value)
    }

    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try member(key)
        sink.writeInteger(value)
    }

    mutating func encode(_ value: UInt64, forKey key: Key) throws {
        try member(key)
        sink.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key)
        try sink.writeValue(value, depth: depth + 1, path: link, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let serial = nested(object: true, key: key)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(
            sink: sink, depth: depth + 1, serial: serial, link: CodingPathLink(parent: link, key: key)
        ))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let serial = nested(object: false, key: key)
        return JSONUnkeyedContainer(sink: sink, depth: depth + 1, serial: serial, link: CodingPathLink(parent: link, key: key))
    }

    private func nested(object: Bool, key: Key) -> Int {
        do {
            try member(key)
            return sink.open(object: object, owner: sink.nextSerial())
        } catch {
            return 0 // the pass is marked unsupported; JSONEncoder writes the value
        }
    }

    mutating func superEncoder() -> any Encoder {
        _ = sink.giveUp()
        return JSONValueEncoder(sink: sink, depth: depth + 1, start: -1, owner: 0, parent: link, key: nil)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder()
    }
}

/// An array's elements, in order.
struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let sink: JSONSink
    let depth: Int
    let serial: Int
    let link: CodingPathLink?

    var codingPath: [any CodingKey] { CodingPathLink.path(link, nil) }

    var count: Int {
        sink.frames.count > depth && sink.frames[depth].serial == serial ? sink.frames[depth].count : 0
    }

    @discardableResult
    private func element() throws -> Int {
        try sink.beginMember(depth: depth, serial: serial)
    }

    mutating func encodeNil() throws {
        try element()
        sink.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        try element()
        sink.writeBool(value)
    }

    mutating func encode(_ value: String) throws {
        try element()
        sink.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        let index = try element()
        try sink.writeDouble(value, path: link, key: IndexCodingKey(index))
    }

    mutating func encode(_ value: Int) throws {
        try element()
        sink.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let index = try element()
        try sink.writeValue(value, depth: depth + 1, path: link, key: IndexCodingKey(index))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (serial, index) = nested(object: true)
        return KeyedEncodingContainer(JSONKeyedContainer<NestedKey>(
            sink: sink, depth: depth + 1, serial: serial, link: CodingPathLink(parent: link, key: IndexCodingKey(index))
        ))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (serial, index) = nested(object: false)
        return JSONUnkeyedContainer(sink: sink, depth: depth + 1, serial: serial, link: CodingPathLink(parent: link, key: IndexCodingKey(index)))
    }

    private func nested(object: Bool) -> (serial: Int, index: Int) {
        do {
            let index = try element()
            return (sink.open(object: object, owner: sink.nextSerial()), index)
        } catch {
            return (0, 0) // the pass is marked unsupported; JSONEncoder writes the value
        }
    }

    mutating func superEncoder() -> any Encoder {
        _ = sink.giveUp()
        return JSONValueEncoder(sink: sink, depth: depth + 1, start: -1, owner: 0, parent: link, key: nil)
    }
}

/// A value that is one string, number, Boolean, null or other value.
struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONValueEncoder

    var codingPath: [any CodingKey] { encoder.codingPath }

    private var sink: JSONSink { encoder.sink }

    /// Only one value may be written, and only where nothing of this value is yet.
    private func ready() throws {
        if sink.unsupported { throw JSONSink.Unsupported() }
        guard sink.bytes.count == encoder.start, sink.frames.count == encoder.depth else { throw sink.giveUp() }
    }

    mutating func encodeNil() throws {
        try ready()
        sink.writeNull()
    }

    mutating func encode(_ value: Bool) throws {
        try ready()
        sink.writeBool(value)
    }

    mutating func encode(_ value: String) throws {
        try ready()
        sink.writeString(value)
    }

    mutating func encode(_ value: Double) throws {
        try ready()
        try sink.writeDouble(value, path: encoder.parent, key: encoder.key)
    }

    mutating func encode(_ value: Float) throws {
        try ready()
        try sink.writeFloat(value, path: encoder.parent, key: encoder.key)
    }

    mutating func encode(_ value: Int) throws {
        try ready()
        sink.writeInteger(value)
    }

    mutating func encode(_ value: Int64) throws {
        try ready()
        sink.writeInteger(value)
    }

    mutating func encode(_ value: UInt64) throws {
        try ready()
        sink.writeInteger(value)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try ready()
        try sink.writeValue(value, depth: encoder.depth, path: encoder.parent, key: encoder.key)
    }
}
