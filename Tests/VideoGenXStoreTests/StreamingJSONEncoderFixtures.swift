import Foundation

/// Random texts, numbers and trees for the streaming encoder's differential tests.
enum JSONSamples {
    /// A string mixing what JSON escapes (quotes, backslashes, slashes, control characters) with
    /// ASCII, Latin-1, other BMP characters, emoji and combining marks.
    static func text(_ random: inout some RandomNumberGenerator) -> String {
        let pools: [[Unicode.Scalar]] = [
            Array("ab Z09\"\\/".unicodeScalars),
            (0..<0x20).compactMap(Unicode.Scalar.init) + [Unicode.Scalar(0x7F)],
            Array("éøß\u{2028}\u{2029}中文\u{FEFF}".unicodeScalars),
            Array("🦊🎬👩‍🚀".unicodeScalars), Array("e\u{301}".unicodeScalars),
        ]
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...24, using: &random) {
            let pool = pools[Int.random(in: 0..<pools.count, using: &random)]
            text.append(pool[Int.random(in: 0..<pool.count, using: &random)])
        }
        return String(text)
    }

    /// A finite double: a special case, a small integer or any finite bit pattern.
    static func double(_ random: inout some RandomNumberGenerator) -> Double {
        let specials: [Double] = [0, -0.0, 0.1, 1, 100, 1e15, 1e16, 1e20, 5e-324, -1.5e-7, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne]
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return specials[Int.random(in: 0..<specials.count, using: &random)]
        case 1: return Double(Int.random(in: -1_000...1_000, using: &random)) / 8
        default:
            while true {
                let value = Double(bitPattern: random.next())
                if value.isFinite { return value }
            }
        }
    }

    /// A random JSON tree, at most 4 deep, with distinct keys in each object.
    static func tree(_ random: inout some RandomNumberGenerator, depth: Int) -> Tree {
        switch Int.random(in: depth < 4 ? 0...7 : 2...7, using: &random) {
        case 0: return .object((0..<Int.random(in: 0...4, using: &random)).map { ("k\($0)-" + text(&random), tree(&random, depth: depth + 1)) })
        case 1: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in tree(&random, depth: depth + 1) })
        case 2: return .string(text(&random))
        case 3: return .integer(Int(bitPattern: UInt(random.next())))
        case 4: return .double(double(&random))
        case 5: return .bool(Bool.random(using: &random))
        case 6: return .unsigned(random.next())
        default: return .null
        }
    }

    /// A JSON value written through every kind of container.
    enum Tree: Encodable {
        case object([(String, Tree)]), array([Tree]), string(String), integer(Int), unsigned(UInt64), double(Double), bool(Bool), null

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .object(let members):
                var container = encoder.container(keyedBy: NameKey.self)
                for (name, value) in members { try container.encode(value, forKey: NameKey(name)) }
            case .array(let elements):
                var container = encoder.unkeyedContainer()
                for element in elements { try container.encode(element) }
            case .string(let value): try value.encode(to: encoder)
            case .integer(let value): try value.encode(to: encoder)
            case .unsigned(let value): try value.encode(to: encoder)
            case .double(let value): try value.encode(to: encoder)
            case .bool(let value): try value.encode(to: encoder)
            case .null:
                var container = encoder.singleValueContainer()
                try container.encodeNil()
            }
        }
    }
}

/// A key made at run time.
struct NameKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) {
        stringValue = name
    }

    init?(stringValue: String) {
        self.stringValue = stringValue
    }

    init?(intValue: Int) {
        nil
    }
}

/// Every primitive at its bounds and every special type, through synthesized and hand-written
/// coding, nested containers and an enum with associated values.
struct Zoo: Encodable {
    enum Shape: Encodable { case circle(radius: Double), label(String), none }

    var int8 = [Int8.min, Int8.max], int16 = [Int16.min, Int16.max], int32 = [Int32.min, Int32.max], int64 = [Int64.min, Int64.max]
    var uint8 = [UInt8.max], uint16 = [UInt16.max], uint32 = [UInt32.max], uint64 = [UInt64.max], uint = [UInt.max], int = [Int.min, Int.max]
    var doubles: [Double] = [-0.0, 0.1, 1, 100, 1e15, 1e16, 1e20, 5e-324, .greatestFiniteMagnitude, -1.5e-7, 2.5]
    var floats: [Float] = [0.1, -0.0, 3.4e38, 1, 1e-45]
    var single: Float = 0.25
    var strings = ["", "\"\\/\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}", "é\u{2028}🦊👩‍🚀", "plain"]
    var data = Data([0, 1, 2, 250, 255])
    var url = URL(string: "https://example.com/a/b?c=d&e=%20")!
    var date = Date(timeIntervalSinceReferenceDate: 123.25)
    var shapes: [Shape] = [.circle(radius: 2), .label("x/y"), .none]
    var missing: String?
    var dictionary: [String: [Int]] = ["a": [1], "b": []]
    var flags = [true, false]

    enum CodingKeys: String, CodingKey {
        case int8, int16, int32, int64, uint8, uint16, uint32, uint64, uint, int, doubles, floats, single, strings, data, url, date, shapes, missing,
             dictionary, flags, explicitNull, nested, list
    }

    enum NestedKeys: String, CodingKey { case depth, inner }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(int8, forKey: .int8)
        try c.encode(int16, forKey: .int16)
        try c.encode(int32, forKey: .int32)
        try c.encode(int64, forKey: .int64)
        try c.encode(uint8, forKey: .uint8)
        try c.encode(uint16, forKey: .uint16)
        try c.encode(uint32, forKey: .uint32)
        try c.encode(uint64, forKey: .uint64)
        try c.encode(uint, forKey: .uint)
        try c.encode(int, forKey: .int)
        try c.encode(doubles, forKey: .doubles)
        try c.encode(floats, forKey: .floats)
        try c.encode(single, forKey: .single)
        try c.encode(strings, forKey: .strings)
        try c.encode(data, forKey: .data)
        try c.encode(url, forKey: .url)
        try c.encode(date, forKey: .date)
        try c.encode(shapes, forKey: .shapes)
        try c.encodeIfPresent(missing, forKey: .missing)
        try c.encode(dictionary, forKey: .dictionary)
        try c.encode(flags, forKey: .flags)
        try c.encodeNil(forKey: .explicitNull)
        var nested = c.nestedContainer(keyedBy: NestedKeys.self, forKey: .nested)
        try nested.encode(1, forKey: .depth)
        var inner = nested.nestedUnkeyedContainer(forKey: .inner)
        try inner.encode(Int8(-3))
        try inner.encode(UInt16(9))
        try inner.encode(Float(1.5))
        try inner.encodeNil()
        var deeper = inner.nestedContainer(keyedBy: NestedKeys.self)
        try deeper.encode("bottom", forKey: .depth)
        var list = c.nestedUnkeyedContainer(forKey: .list)
        var sublist = list.nestedUnkeyedContainer()
        try sublist.encode(true)
        try list.encode(2)
    }
}

/// A value that asks for no container: `{}`.
struct Empty: Encodable {
    func encode(to encoder: any Encoder) throws {}
}

/// Two values written into one object through the same encoder, as a composed type does.
struct Flattened: Encodable {
    struct Left: Encodable { var a = 1, nested = ["x": [1, 2]] }
    struct Right: Encodable { var b = "two", shape = Zoo.Shape.label("r") }

    func encode(to encoder: any Encoder) throws {
        try Left().encode(to: encoder)
        try Right().encode(to: encoder)
    }
}

/// A subclass-style value: the parent's fields under `super`.
struct SuperEncoding: Encodable {
    enum CodingKeys: String, CodingKey { case own }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(1, forKey: .own)
        try Flattened.Left().encode(to: c.superEncoder())
    }
}

/// Writes into a nested object after writing a sibling of it: not one pass.
struct Interleaved: Encodable {
    enum CodingKeys: String, CodingKey { case a, b }
    enum InnerKeys: String, CodingKey { case x, y }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        var inner = c.nestedContainer(keyedBy: InnerKeys.self, forKey: .a)
        try inner.encode(1, forKey: .x)
        try c.encode(2, forKey: .b)
        try inner.encode(3, forKey: .y)
    }
}

/// Writes two values through one single-value container (JSONEncoder stops the process).
struct TwoSingleValues: Encodable {
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(1)
        try c.encode(2)
    }
}
