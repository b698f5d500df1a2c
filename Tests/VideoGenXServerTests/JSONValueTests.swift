import Foundation
import Testing

@testable import VideoGenXServer

/// Request bodies are read into ``JSONValue`` before validation: each JSON type must land in its
/// own case, numbers in the narrowest that holds them.
@Suite("JSON values")
struct JSONValueTests {
    @Test("Each JSON value decodes to its case", arguments: [
        ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)), ("0", .integer(0)), ("-3", .integer(-3)),
        ("9223372036854775807", .integer(Int64.max)), ("18446744073709551615", .unsigned(UInt64.max)), ("1.5", .number(1.5)),
        ("1e2", .integer(100)), ("2.5e-1", .number(0.25)), ("-0.25", .number(-0.25)), (#""text""#, .string("text")), (#""""#, .string("")), (#""1""#, .string("1")),
        (#""true""#, .string("true")), ("[]", .array([])), ("{}", .object([:])),
        (#"[1,"a",true,null,{"b":[2.5]}]"#, .array([.integer(1), .string("a"), .bool(true), .null, .object(["b": .array([.number(2.5)])])])),
        (#"{"text":"fox","params":{"fps":24,"seed":null,"strength":0.5,"flags":[false]}}"#, .object([
            "text": .string("fox"),
            "params": .object(["fps": .integer(24), "seed": .null, "strength": .number(0.5), "flags": .array([.bool(false)])]),
        ])),
    ])
    func decodes(json: String, expected: JSONValue) throws {
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) == expected, "\(json)")
    }

    @Test("Text that is not JSON is refused", arguments: ["", "{", "[1 2]", "tru", "1e400", #"{"a":}"#])
    func refuses(json: String) {
        #expect(throws: (any Error).self) { try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) }
    }
}
