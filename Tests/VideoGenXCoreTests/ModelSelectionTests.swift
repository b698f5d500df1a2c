import Foundation
import Testing
import VideoGenXCore

/// `params.model`: a registered model or a 400 naming the field; the chosen model's resolutions,
/// frame rates and length are enforced; the spec records it.
@Suite("Model selection")
struct ModelSelectionTests {
    static let tiny = ModelCapabilities(name: "tiny-onnx", resolutions: [.hd720], frameRates: [24], maxFrames: 48)
    static let limits = GenerationLimits(durationSeconds: 1...60, steps: 1...100, models: [.procedural, tiny])

    static func request(model: String?, resolution: String = "720P", fps: Int = 24, duration: Int = 1) -> GenerationRequest {
        GenerationRequest(text: "a red fox", params: .init(resolution: resolution, fps: fps, duration: duration, steps: 4, seed: 1, model: model))
    }

    static func issues(_ request: GenerationRequest) -> [FieldIssue] {
        do {
            _ = try request.validated(limits: limits)
            return []
        } catch {
            return error.issues
        }
    }

    @Test("No model means the server's default; a registered one is recorded in the spec")
    func chosen() throws {
        #expect(try Self.request(model: nil).validated(limits: Self.limits).model == "procedural")
        #expect(try Self.request(model: "tiny-onnx").validated(limits: Self.limits).model == "tiny-onnx")
        var limits = Self.limits
        limits.defaultModel = "tiny-onnx"
        #expect(try Self.request(model: nil).validated(limits: limits).model == "tiny-onnx")
    }

    @Test("An unknown model is refused on params.model, listing the registered ones")
    func unknown() {
        let issues = Self.issues(Self.request(model: "sora"))
        #expect(issues.map(\.field) == ["params.model"])
        #expect(issues.first?.reason == "must be a registered model (procedural, tiny-onnx), got 'sora'")
    }

    @Test("What the model cannot render is refused on its field, naming the model", arguments: [
        ("1080P", 24, 1, "params.resolution", "the model tiny-onnx renders 720P, got 1080P"),
        ("720P", 30, 1, "params.fps", "the model tiny-onnx renders 24 fps, got 30"),
        ("720P", 24, 3, "params.duration", "the model tiny-onnx renders at most 48 frames (fps × duration), got 72"),
    ])
    func unsupported(resolution: String, fps: Int, duration: Int, field: String, reason: String) {
        let issues = Self.issues(Self.request(model: "tiny-onnx", resolution: resolution, fps: fps, duration: duration))
        #expect(issues.map(\.field) == [field] && issues.first?.reason == reason, "\(issues)")
        #expect(Self.issues(Self.request(model: "procedural", resolution: resolution, fps: fps, duration: duration)).isEmpty)
    }

    @Test("What a request leaves out is what its model renders: tiny-onnx gets 720P, 24 fps and at most its 48 frames; procedural keeps the platform's 1080P, 30 fps, 30 s")
    func modelDefaults() throws {
        let bare = { (model: String?) in GenerationRequest(text: "a red fox", params: .init(steps: 4, seed: 1, model: model)) }
        let tiny = try bare("tiny-onnx").validated(limits: Self.limits)
        #expect(tiny.resolution == .hd720 && tiny.fps == 24 && tiny.durationSeconds == 2)
        let procedural = try bare(nil).validated(limits: Self.limits)
        #expect(procedural.resolution == .fullHD1080 && procedural.fps == 30 && procedural.durationSeconds == 30)
        // A named value is still checked, not replaced.
        #expect(Self.issues(GenerationRequest(text: "fox", params: .init(resolution: "1080P", steps: 4, model: "tiny-onnx"))).map(\.field) == ["params.resolution"])
    }

    @Test("A stored spec from before models were chosen reads as procedural")
    func oldSpec() throws {
        let spec = try Self.request(model: "tiny-onnx").validated(limits: Self.limits)
        var object = try #require(try JSONSerialization.jsonObject(with: try JSONEncoder().encode(spec)) as? [String: Any])
        #expect(object.removeValue(forKey: "model") as? String == "tiny-onnx")
        let old = try JSONSerialization.data(withJSONObject: object)
        #expect(try JSONDecoder().decode(GenerationSpec.self, from: old).model == "procedural")
    }
}
