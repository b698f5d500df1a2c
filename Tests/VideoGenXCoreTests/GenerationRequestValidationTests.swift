import Foundation
import Testing
import VideoGenXCore

@Suite("Generation request validation")
struct GenerationRequestValidationTests {
    @Test("A request with only text gets every documented default and a recorded seed")
    func defaultsApplied() throws {
        let spec = try GenerationRequest(text: "a red fox").validated(seed: { 42 })
        #expect(spec.resolution == .fullHD1080)
        #expect(spec.resolution.width == 1920 && spec.resolution.height == 1080)
        #expect(spec.fps == 30)
        #expect(spec.durationSeconds == 30)
        #expect(spec.frameCount == 900)
        #expect(spec.style == .natural)
        #expect(spec.saturation == 1.0 && spec.contrast == 1.0)
        #expect(spec.cfgScale == 7.5)
        #expect(spec.steps == 50)
        #expect(spec.sampler == .auto)
        #expect(spec.seed == 42)
    }

    @Test("A given seed is kept and the seed source is not consulted")
    func explicitSeedKept() throws {
        let spec = try GenerationRequest(text: "x", params: .init(seed: 7)).validated(seed: {
            Issue.record("seed source called although the request has a seed")
            return 0
        })
        #expect(spec.seed == 7)
    }

    /// Valid requests at the edges of every range.
    static let validCases: [GenerationRequest.Parameters] = [
        .init(resolution: "720P", fps: 24, duration: 15, steps: 20),
        .init(resolution: "4K", fps: 30, duration: 60, steps: 100),
        .init(style: "tech", saturation: 0, contrast: 2, cfgScale: 1, sampler: "euler"),
        .init(style: "art", saturation: 2, contrast: 0, cfgScale: 20, sampler: "euler_a"),
        .init(style: "cartoon", sampler: "ddim", seed: UInt64.max),
    ]

    @Test("Valid requests at the edges of each range pass", arguments: validCases)
    func validEdges(params: GenerationRequest.Parameters) throws {
        _ = try GenerationRequest(text: "a city at night", params: params).validated()
    }

    /// One invalid field per case, with the exact message the API and CLI print.
    static let invalidCases: [(GenerationRequest, String)] = [
        (GenerationRequest(text: nil), "text: is required"),
        (GenerationRequest(text: "   \n"), "text: must not be empty or only whitespace"),
        (GenerationRequest(text: String(repeating: "a", count: 2001)), "text: must be 1–2000 characters, got 2001"),
        (GenerationRequest(text: "x", image: "ftp://host/a.png"), "image: must be an http(s) URL, a data:image/...;base64, URI or the key of one of your results (videos/{task_id}/{file})"),
        (GenerationRequest(text: "x", image: "data:image/png;base64,@@@@"), "image: is a data URI whose payload is not valid base64"),
        (GenerationRequest(text: "x", image: "data:image/png;base64,AAA"), "image: is a data URI whose payload is not valid base64"),
        (GenerationRequest(text: "x", image: "data:image/png;base64,A==="), "image: is a data URI whose payload is not valid base64"),
        (GenerationRequest(text: "x", image: "data:image/png;base64,"), "image: is a data URI whose payload is not valid base64"),
        (GenerationRequest(text: "x", params: .init(resolution: "8K")), "params.resolution: must be one of '720P', '1080P', '4K', got '8K'"),
        (GenerationRequest(text: "x", params: .init(fps: 25)), "params.fps: must be 24 or 30, got 25"),
        (GenerationRequest(text: "x", params: .init(duration: 14)), "params.duration: must be 15–60 s, got 14"),
        (GenerationRequest(text: "x", params: .init(duration: 61)), "params.duration: must be 15–60 s, got 61"),
        (GenerationRequest(text: "x", params: .init(style: "noir")), "params.style: must be one of 'natural', 'tech', 'art', 'cartoon', got 'noir'"),
        (GenerationRequest(text: "x", params: .init(saturation: 2.5)), "params.saturation: must be 0.0–2.0, got 2.5"),
        (GenerationRequest(text: "x", params: .init(contrast: -0.1)), "params.contrast: must be 0.0–2.0, got -0.1"),
        (GenerationRequest(text: "x", params: .init(contrast: .nan)), "params.contrast: must be 0.0–2.0, got nan"),
        (GenerationRequest(text: "x", params: .init(cfgScale: 0.5)), "params.cfg_scale: must be 1.0–20.0, got 0.5"),
        (GenerationRequest(text: "x", params: .init(steps: 19)), "params.steps: must be 20–100, got 19"),
        (GenerationRequest(text: "x", params: .init(steps: 101)), "params.steps: must be 20–100, got 101"),
        (GenerationRequest(text: "x", params: .init(sampler: "dpm")), "params.sampler: must be one of 'euler', 'euler_a', 'ddim', 'auto', got 'dpm'"),
    ]

    @Test("Each invalid field is refused with its path and reason", arguments: invalidCases)
    func invalidField(request: GenerationRequest, expected: String) {
        #expect(throws: ValidationFailure(issues: [issue(from: expected)])) {
            try request.validated()
        }
    }

    @Test("Data URIs with standard base64 pass, wrapped in lines as the base64 tool writes them or not", arguments: [
        "data:image/png;base64,iVBORw0KGgo=", "data:image/png;BASE64,AAAA", "data:image/webp;base64,AAAA\nBBBB\r\nCC==",
    ])
    func validDataURI(image: String) throws {
        _ = try GenerationRequest(text: "x", image: image).validated()
    }

    @Test("All problems are reported at once, in field order")
    func allProblemsAtOnce() {
        let request = GenerationRequest(text: "", params: .init(resolution: "2K", fps: 25, steps: 5, sampler: "x"))
        do {
            _ = try request.validated()
            Issue.record("an invalid request was accepted")
        } catch {
            #expect(error.issues.map(\.field) == ["text", "params.resolution", "params.fps", "params.steps", "params.sampler"])
        }
    }

    @Test("One-shot limits allow 1 s clips and a single step, but not zero")
    func oneShotLimits() throws {
        let spec = try GenerationRequest(text: "x", params: .init(duration: 1, steps: 1)).validated(limits: .oneShot)
        #expect(spec.frameCount == 30)
        #expect(throws: ValidationFailure.self) {
            try GenerationRequest(text: "x", params: .init(duration: 0)).validated(limits: .oneShot)
        }
    }

    @Test("A resolution the server's limits leave out is refused, naming the allowed ones")
    func resolutionLimit() throws {
        let limits = GenerationLimits(resolutions: [.hd720, .fullHD1080])
        #expect(throws: ValidationFailure(issues: [FieldIssue(field: "params.resolution", reason: "must be one of 720P, 1080P on this server, got 4K")])) {
            try GenerationRequest(text: "x", params: .init(resolution: "4K")).validated(limits: limits)
        }
        #expect(try GenerationRequest(text: "x", params: .init(resolution: "720P")).validated(limits: limits).resolution == .hd720)
    }

    @Test("The API's JSON shape decodes, with snake_case keys and params optional")
    func decodesWireShape() throws {
        let json = #"{"text":"a fox","params":{"resolution":"720P","cfg_scale":9.5,"seed":12}}"#
        let request = try JSONDecoder().decode(GenerationRequest.self, from: Data(json.utf8))
        let spec = try request.validated()
        #expect(spec.resolution == .hd720)
        #expect(spec.cfgScale == 9.5)
        #expect(spec.seed == 12)
        let bare = try JSONDecoder().decode(GenerationRequest.self, from: Data(#"{"text":"a fox"}"#.utf8))
        #expect(bare.params == GenerationRequest.Parameters())
    }

    private func issue(from line: String) -> FieldIssue {
        let parts = line.split(separator: ":", maxSplits: 1)
        return FieldIssue(field: String(parts[0]), reason: String(parts[1].dropFirst()))
    }
}

extension GenerationRequest: CustomTestStringConvertible {
    /// A short form for test logs (prompts may be 2000 characters long).
    public var testDescription: String {
        let prompt = text.map { $0.count > 24 ? "\($0.prefix(12))…(\($0.count) chars)" : $0 } ?? "nil"
        return "text: \(prompt), image: \(image ?? "nil"), params: \(params)"
    }
}
