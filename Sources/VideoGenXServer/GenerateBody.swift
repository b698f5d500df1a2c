import Foundation
import HTTPTypes
import VideoGenXCore

/// The body of `POST /api/v1/video/generate`:
/// `{"text", "image"?, "params"?: {...}, "callback_url"?, "priority"? (0–3, default 2)}`.
struct GenerateBody {
    /// The generation request part.
    var request: GenerationRequest
    /// Requested priority lane.
    var priority: TaskPriority
    /// Where terminal states are POSTed, if anywhere (syntax checked here, address by the API).
    var callbackURL: String?

    /// Parses and type-checks `data`; every problem is reported at once.
    /// - Throws: ``APIError`` 400 with every problem found.
    static func parse(_ data: Data) throws(APIError) -> (body: GenerateBody, issues: [FieldIssue]) {
        let root: JSONValue
        do {
            root = try JSONValueParser.parse(data)
        } catch {
            throw APIError(.badRequest, code: "malformed_json", message: "the body is not valid JSON")
        }
        guard case .object(let object) = root else {
            throw APIError.invalid([FieldIssue(field: "$", reason: "must be a JSON object, got \(root.typeName)")])
        }
        var top = FieldReader(object)
        top.rejectUnknown(["text", "image", "params", "callback_url", "priority"])
        let text = top.string("text")
        let image = top.string("image")
        let callback = top.string("callback_url")
        let priorityValue = top.integer("priority")
        let paramsObject = top.object("params")
        var issues = top.issues
        if let callback {
            // Only the syntax here; the API resolves the host and applies the SSRF guard.
            let url = URL(string: callback)
            let isHTTP = ["http", "https"].contains(url?.scheme?.lowercased() ?? "") && url?.host?.isEmpty == false
            if callback.count > 2048 {
                issues.append(FieldIssue(field: "callback_url", reason: "must be at most 2048 characters, got \(callback.count)"))
            } else if !isHTTP {
                issues.append(FieldIssue(field: "callback_url", reason: "must be an absolute http(s) URL"))
            }
        }
        var priority = TaskPriority.p2
        if let priorityValue {
            if let parsed = TaskPriority(rawValue: priorityValue) {
                priority = parsed
            } else {
                issues.append(FieldIssue(field: "priority", reason: "must be 0–3, got \(priorityValue)"))
            }
        }
        var params = GenerationRequest.Parameters()
        if let paramsObject {
            var reader = FieldReader(paramsObject, prefix: "params")
            reader.rejectUnknown(Self.parameterKeys)
            params = GenerationRequest.Parameters(
                resolution: reader.string("resolution"), fps: reader.integer("fps"), duration: reader.integer("duration"),
                style: reader.string("style"), saturation: reader.number("saturation"), contrast: reader.number("contrast"),
                cfgScale: reader.number("cfg_scale"), steps: reader.integer("steps"), sampler: reader.string("sampler"),
                seed: reader.unsigned("seed"), model: reader.string("model")
            )
            Self.readFinishing(&reader, into: &params)
            issues += reader.issues
        }
        let body = GenerateBody(
            request: GenerationRequest(text: text, image: image, params: params), priority: priority, callbackURL: callback
        )
        return (body, issues)
    }
}
