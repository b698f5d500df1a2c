import Foundation
import Testing
import VideoGenXCore
@testable import VideoGenXStore

/// The store's one-pass JSON encoder writes what `JSONEncoder` writes (compared parsed, since
/// `JSONEncoder` orders keys by hash), takes every pattern it cannot write in one pass to
/// `JSONEncoder`, and throws where `JSONEncoder` throws.
@Suite("Streaming JSON encoder")
struct StreamingJSONEncoderTests {
    @Test("Random specs, results and failures (every finishing option on and off) encode as JSONEncoder does, in one pass, and decode back unchanged")
    func storeColumnsMatchJSONEncoder() throws {
        var random = SystemRandomNumberGenerator()
        let base = try GenerationRequest(text: "a red fox", params: .init(seed: 1)).validated()
        for round in 0..<300 {
            var spec = base
            spec.text = JSONSamples.text(&random)
            spec.image = Bool.random(using: &random) ? "data:image/png;base64,iVBORw0KGgo=" : nil
            spec.resolution = Resolution.allCases.randomElement(using: &random) ?? .hd720
            spec.saturation = JSONSamples.double(&random)
            spec.cfgScale = JSONSamples.double(&random)
            spec.seed = UInt64.random(in: 0...UInt64.max, using: &random)
            spec.brightness = JSONSamples.double(&random)
            spec.denoise = Denoise.allCases.randomElement(using: &random) ?? .off
            if round % 2 == 0 {
                spec.subtitle = Subtitle(
                    segments: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                        SubtitleSegment(start: JSONSamples.double(&random), end: JSONSamples.double(&random), text: JSONSamples.text(&random))
                    },
                    font: Bool.random(using: &random) ? "DejaVu Sans" : nil, size: round % 4 == 0 ? 32 : nil,
                    color: RGBColour(red: .random(in: 0...255, using: &random), green: 0, blue: 255), position: .top, shadow: round % 3 == 0,
                    maxWidth: 0.8
                )
            }
            if round % 3 == 0 {
                spec.watermark = Watermark(content: round % 2 == 0 ? .text(JSONSamples.text(&random)) : .image("https://example.com/a/b.png"), opacity: 70)
            }
            if round % 5 == 0 {
                spec.music = BackgroundMusic(source: round % 2 == 0 ? .builtin(.calm) : .url("https://example.com/m.mp3"), volume: 0.5, fadeOut: 2)
            }
            spec.output = OutputSettings(codec: round % 2 == 0 ? .h264 : .h265, rateControl: round % 4 == 0 ? .bitrate(kbps: 4_000) : .crf(20))
            try expectSameAsJSONEncoder(spec)
            #expect(try StreamingJSONEncoder.onePass(spec) != nil)
            #expect(try JSONDecoder().decode(GenerationSpec.self, from: Data(StreamingJSONEncoder.encodeBytes(spec))) == spec)
            try expectSameAsJSONEncoder(TaskResult(
                videoKey: JSONSamples.text(&random), thumbnailKey: round % 2 == 0 ? "t/\(round).jpg" : nil,
                durationSeconds: JSONSamples.double(&random), width: 1280, height: 720, fps: 24, codec: "hevc",
                sizeBytes: Int.random(in: 0...Int.max, using: &random), audioCodec: round % 3 == 0 ? "aac" : nil
            ))
            try expectSameAsJSONEncoder(TaskFailure(code: "ffmpeg_failed", message: JSONSamples.text(&random)))
        }
    }

    @Test("Every primitive, escape and special type: integers at their bounds, -0, tiny and huge doubles, floats, control characters, slashes, non-ASCII, Data, URL, Date, null, nested and flattened containers, empty values")
    func edgeCasesMatchJSONEncoder() throws {
        try expectSameAsJSONEncoder(Zoo())
        try expectSameAsJSONEncoder(["a": [1, 2], "b": []])
        try expectSameAsJSONEncoder([7: "seven", -1: "minus one"])
        try expectSameAsJSONEncoder([[String]]([[], ["x"], ["y", "z"]]))
        try expectSameAsJSONEncoder("a top-level string / with \u{0} in it")
        try expectSameAsJSONEncoder([Empty(), Empty()])
        try expectSameAsJSONEncoder(Flattened())
        #expect(try StreamingJSONEncoder.encode([Empty()]) == "[{}]")
        // At the top, a value that writes nothing is refused, as JSONEncoder refuses it.
        #expect(throws: EncodingError.self) { try StreamingJSONEncoder.encode(Empty()) }
        for value in [Zoo(), Flattened(), [Empty()]] as [any Encodable] {
            #expect(try StreamingJSONEncoder.onePass(value) != nil, "\(type(of: value)) written in one pass")
        }
        #expect(try StreamingJSONEncoder.encode(-0.0) == "-0")
        #expect(try StreamingJSONEncoder.encode(1.0) == "1")
        #expect(try StreamingJSONEncoder.encode(["k": "a/\"b\\\n\u{1F}"]) == #"{"k":"a\/\"b\\\n\u001f"}"#)
    }

    @Test("What one pass cannot write goes to JSONEncoder: a super encoder, Decimal, a container written after its sibling opened, two single values")
    func unsupportedPatternsFallBack() throws {
        let values: [any Encodable] = [SuperEncoding(), ["price": Decimal(string: "12.50")!], Interleaved(), TwoSingleValues()]
        for value in values {
            #expect(try StreamingJSONEncoder.onePass(value) == nil, "\(type(of: value))")
            if value is TwoSingleValues { continue } // JSONEncoder refuses it too (a precondition)
            try expectSameAsJSONEncoder(value)
        }
    }

    @Test("A non-finite number throws EncodingError.invalidValue with the coding path JSONEncoder gives")
    func nonFiniteNumbersThrow() {
        for value in [Double.nan, .infinity, -.infinity] {
            let nested = ["outer": [["inner": value]]]
            #expect(codingPath(of: { try JSONEncoder().encode(nested) }) != nil)
            #expect(codingPath(of: { try StreamingJSONEncoder.encode(nested) }) == codingPath(of: { try JSONEncoder().encode(nested) }))
            #expect(codingPath(of: { try StreamingJSONEncoder.encode(Float(value)) }) == [])
        }
    }

    @Test("1,000 random trees of objects, arrays, strings, numbers, Booleans and nulls encode as JSONEncoder does")
    func randomTreesMatchJSONEncoder() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1_000 {
            try expectSameAsJSONEncoder(JSONSamples.tree(&random, depth: 0))
        }
    }

    // MARK: - Helpers

    private func expectSameAsJSONEncoder<Value: Encodable>(_ value: Value, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try StreamingJSONEncoder.encodeBytes(value)
        let foundation = try JSONEncoder().encode(value)
        let parsedOurs = try JSONDecoder().decode(ParsedJSON.self, from: Data(ours))
        let parsedFoundation = try JSONDecoder().decode(ParsedJSON.self, from: foundation)
        #expect(parsedOurs == parsedFoundation, "ours \(String(decoding: ours, as: UTF8.self)) vs \(String(decoding: foundation, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    private func codingPath(of encode: () throws -> Any) -> [String]? {
        do {
            _ = try encode()
            return nil
        } catch let EncodingError.invalidValue(_, context) {
            return context.codingPath.map(\.stringValue)
        } catch {
            return ["unexpected \(error)"]
        }
    }
}

/// Any JSON text, parsed order-insensitively, numbers exact where they are integers.
enum ParsedJSON: Decodable, Equatable {
    case object([String: ParsedJSON]), array([ParsedJSON]), string(String), integer(Int64), unsigned(UInt64), double(Double), bool(Bool), null

    init(from decoder: any Decoder) throws {
        let single = try? decoder.singleValueContainer()
        if let single, single.decodeNil() {
            self = .null
        } else if let value = try? single?.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single?.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single?.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? single?.decode(Double.self) {
            self = .double(value)
        } else if let value = try? single?.decode(String.self) {
            self = .string(value)
        } else if let value = try? single?.decode([String: ParsedJSON].self) {
            self = .object(value)
        } else {
            self = .array(try decoder.singleValueContainer().decode([ParsedJSON].self))
        }
    }
}
