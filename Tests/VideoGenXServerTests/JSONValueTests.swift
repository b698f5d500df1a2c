import Foundation
import Testing

@testable import VideoGenXServer

/// `JSONValue` as `JSONDecoder` reads it: the reference ``JSONValueParser`` is held to. Each type
/// is tried in turn; the first that decodes wins (integers before unsigned before fractions).
extension JSONValue: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }
}

/// Request bodies are read into ``JSONValue`` before validation: each JSON type must land in its
/// own case, numbers in the narrowest that holds them — by ``JSONValueParser`` as by
/// `JSONDecoder`.
@Suite("JSON values")
struct JSONValueTests {
    @Test("Each JSON value reads as its case", arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)), ("0", .integer(0)), ("-3", .integer(-3)),
        ("9223372036854775807", .integer(Int64.max)), ("18446744073709551615", .unsigned(UInt64.max)), ("1.5", .number(1.5)),
        ("1e2", .integer(100)), ("1.0", .integer(1)), ("2.5e-1", .number(0.25)), ("-0.25", .number(-0.25)), ("1e20", .number(1e20)),
        (#""text""#, .string("text")), (#""""#, .string("")), (#""1""#, .string("1")), (#""true""#, .string("true")),
        (#""a\"b\\c\/d\n\t\u00e9\ud83e\udd8a""#, .string("a\"b\\c/d\n\té🦊")), ("[]", .array([])), ("{}", .object([:])),
        (#" {"a":1,"a":2} "#, .object(["a": .integer(1)])), ("[1,]", .array([.integer(1)])), (#"{"a":1 , }"#, .object(["a": .integer(1)])),
        (#"[1,"a",true,null,{"b":[2.5]}]"#, .array([.integer(1), .string("a"), .bool(true), .null, .object(["b": .array([.number(2.5)])])])),
        (#"{"text":"fox","params":{"fps":24,"seed":null,"strength":0.5,"flags":[false]}}"#, .object([
            "text": .string("fox"),
            "params": .object(["fps": .integer(24), "seed": .null, "strength": .number(0.5), "flags": .array([.bool(false)])]),
        ])),
    ])
    func reads(json: String, expected: JSONValue) throws {
        #expect(try JSONValueParser.parse(Data(json.utf8)) == expected, "\(json)")
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) == expected, "\(json)")
    }

    @Test("Text that is not JSON is refused", arguments: [
        "", " ", "{", "[1 2]", "tru", "nul", "1e400", "-", "01", "1.", ".5", "+1", "1e", "[,]", "{,}", "[1,,]", #"{"a":}"#, #"{a:1}"#,
        "\"\u{01}\"", #""\x""#, #""\ud83e""#, #""\udd8a""#, #""\u12""#, "\"abc", "NaN", "Infinity", "[] []", "{} x",
    ])
    func refuses(json: String) {
        #expect(throws: JSONValueParser.Malformed.self, "\(json)") { try JSONValueParser.parse(Data(json.utf8)) }
        #expect(throws: (any Error).self, "\(json)") { try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) }
    }

    @Test("Invalid UTF-8 inside a string is refused; nesting 512 deep is read, 513 is not")
    func bytesAndDepth() throws {
        #expect(throws: JSONValueParser.Malformed.self) { try JSONValueParser.parse([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")]) }
        let deep = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONValueParser.parse(Data(deep.utf8)) }
        #expect(throws: Never.self) { try JSONDecoder().decode(JSONValue.self, from: Data(deep.utf8)) }
        let deeper = "[" + deep + "]"
        #expect(throws: JSONValueParser.Malformed.self) { try JSONValueParser.parse(Data(deeper.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(deeper.utf8)) }
    }

    /// Known differences, all on input no client sends: `JSONDecoder` never decodes a repeated
    /// key's dropped value, so an invalid escape there passes it (the parser refuses the body;
    /// the generated keys are distinct), nor does it check UTF-8 there; and a number beyond 2^53
    /// with a fraction may come out rounded differently, in another numeric case.
    @Test("Generated bodies and mutations of them read as through JSONDecoder (2,000 texts, fixed seed)")
    func differential() {
        var random = SeededGenerator(seed: 0x5EED_2026_1201)
        var disagreements: [String] = []
        for round in 0..<1000 {
            let text = Self.text(depth: 0, using: &random)
            var mutated = Array(text.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &random) where !mutated.isEmpty {
                let at = Int.random(in: 0..<mutated.count, using: &random)
                let byte = Self.mutationBytes.randomElement(using: &random)!
                switch Int.random(in: 0..<3, using: &random) {
                case 0: mutated.remove(at: at)
                case 1: mutated.insert(byte, at: at)
                default: mutated[at] = byte
                }
            }
            for bytes in [Array(text.utf8), mutated] {
                let ours = try? JSONValueParser.parse(bytes)
                let reference = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
                let agree = switch (ours, reference) {
                case (nil, nil): true
                case let (ours?, reference?): Self.same(ours, reference)
                case (nil, _?): String(validating: bytes, as: UTF8.self) == nil
                case (_?, nil): false
                }
                if !agree {
                    disagreements.append("round \(round): \(String(decoding: bytes, as: UTF8.self)) -> ours \(String(describing: ours)), JSONDecoder \(String(describing: reference))")
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5).joined(separator: "\n"))")
    }

    /// Equal, but for numbers beyond 2^53 written with a fraction, which may differ in their last
    /// digits and in their case (the two readers round them differently; both are "number").
    private static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = magnitude(a), let y = magnitude(b), Swift.max(abs(x), abs(y)) >= 0x1p53 {
            return abs(x - y) <= abs(x) * 1e-15
        }
        return switch (a, b) {
        case let (.array(x), .array(y)): x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case let (.object(x), .object(y)): x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default: a == b
        }
    }

    /// A number's value as a `Double`; `nil` for other values.
    private static func magnitude(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .unsigned(let number): Double(number)
        case .number(let number): number
        default: nil
        }
    }

    /// Bytes mutations insert: JSON's punctuation, digits, letters of its literals, escapes, space.
    private static let mutationBytes = Array(#"{}[]:,"\-+.eE0123456789tfnurlsa /"#.utf8) + [0x0A, 0x09]

    /// A random JSON text: objects and arrays up to depth 3, strings with escapes and non-ASCII,
    /// numbers in every form the grammar allows, random whitespace.
    private static func text(depth: Int, using random: inout SeededGenerator) -> String {
        let space = [" ", "", "", "\n", "\t"].randomElement(using: &random)!
        switch Int.random(in: 0..<(depth < 3 ? 9 : 6), using: &random) {
        case 0: return ["null", "true", "false"].randomElement(using: &random)!
        case 1, 2: return number(using: &random)
        case 3, 4, 5: return string(using: &random)
        case 6, 7:
            // Keys are distinct (a numbered suffix): JSONDecoder never looks at a repeated key's value.
            let members = (0..<Int.random(in: 0...4, using: &random)).map { number in
                "\(space)\(string(using: &random).dropLast())k\(number)\"\(space):\(text(depth: depth + 1, using: &random))"
            }
            return "{" + members.joined(separator: ",") + space + "}"
        default:
            let elements = (0..<Int.random(in: 0...4, using: &random)).map { _ in space + text(depth: depth + 1, using: &random) }
            return "[" + elements.joined(separator: ",") + "]"
        }
    }

    private static func number(using random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<8, using: &random) {
        case 0: return String(Int64.random(in: .min ... .max, using: &random))
        case 1: return String(UInt64.random(in: UInt64(Int64.max)...UInt64.max, using: &random))
        case 2: return String(Int.random(in: -1000...1000, using: &random))
        case 3: return String(Double.random(in: -1e6...1e6, using: &random))
        case 4: return "\(Int.random(in: -99...99, using: &random)).\(Int.random(in: 0...999, using: &random))"
        case 5: return "\(Int.random(in: 1...9, using: &random))e\(["", "+", "-"].randomElement(using: &random)!)\(Int.random(in: 0...25, using: &random))"
        case 6: return ["0", "-0", "0.0", "1.0", "-1.50", "9223372036854775808", "18446744073709551616", "1E2", "123456789012345678901234567890"]
            .randomElement(using: &random)!
        default: return "\(Int.random(in: 0...9, using: &random)).\(Int.random(in: 0...9, using: &random))e-\(Int.random(in: 0...9, using: &random))"
        }
    }

    private static func string(using random: inout SeededGenerator) -> String {
        let pieces = ["a", "fox", " ", "é", "雪", "🦊", #"\""#, #"\\"#, #"\/"#, #"\n"#, #"\t"#, #"\u00e9"#, #"\u96EA"#, #"\ud83e\udd8a"#, "1", "key"]
        return "\"" + (0..<Int.random(in: 0...5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
    }
}

/// SplitMix64: the same texts every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
