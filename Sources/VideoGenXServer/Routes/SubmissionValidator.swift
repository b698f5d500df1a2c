import Foundation
import HTTPTypes
import Hummingbird
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// A submission that passed every check: what `POST /generate` stores.
struct ValidSubmission: Sendable {
    var body: GenerateBody
    var spec: GenerationSpec
    var idempotencyKey: String?
}

/// Checks a `POST /api/v1/video/generate` body: types, the generation limits, fetched URLs
/// (no private addresses, SSRF), object references (only the caller's own results), the
/// callback URL and the `Idempotency-Key` header. Every problem is reported at once, by field.
struct SubmissionValidator: Sendable {
    let store: any TaskStore
    let objects: any ObjectStore
    let configuration: ServerConfiguration
    /// Whether callbacks are enabled (a dispatcher runs).
    let callbacksEnabled: Bool

    /// The submission in `request`.
    /// - Throws: ``APIError`` 400 listing every field issue; 413 for a body over the upload limit.
    func validate(_ request: Request, context: APIRequestContext) async throws -> ValidSubmission {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let (body, typeIssues) = try GenerateBody.parse(Data(buffer.readableBytesView))
        var issues = typeIssues
        var spec: GenerationSpec?
        do {
            spec = try body.request.validated(limits: configuration.limits)
        } catch {
            issues += error.issues.filter { issue in !typeIssues.contains { $0.field == issue.field } }
        }
        issues += try await urlIssues(body, userID: context.userID, known: issues)
        let key = request.headers[HTTPField.Name("Idempotency-Key")!]
        if let key, !(1...255).contains(key.count) {
            issues.append(FieldIssue(field: "header.Idempotency-Key", reason: "must be 1–255 characters, got \(key.count)"))
        }
        guard issues.isEmpty, let spec else { throw APIError.invalid(issues) }
        return ValidSubmission(body: body, spec: spec, idempotencyKey: key)
    }

    /// Problems with the URLs and object references of `body` (fields already in `known` are skipped).
    private func urlIssues(_ body: GenerateBody, userID: String, known: [FieldIssue]) async throws -> [FieldIssue] {
        var issues: [FieldIssue] = []
        let params = body.request.params
        let fetched = [
            ("image", body.request.image), ("params.watermark.image", params.watermark?.image),
            ("params.background_music.url", params.backgroundMusic?.url),
        ]
        let urlGuard = URLGuard(allowlist: configuration.urlAllowlist)
        for (field, value) in fetched {
            // The fetch itself re-checks; this refuses a private address at submit time with a 400.
            if let value, value.lowercased().hasPrefix("http"), !known.contains(where: { $0.field == field }),
               let problem = await urlGuard.problem(with: value)
            {
                issues.append(FieldIssue(field: field, reason: problem))
            }
            if let value, case .objectKey(let key, let taskID)? = AssetReference(value),
               try await !ownsResult(key, taskID: taskID, userID: userID)
            {
                issues.append(FieldIssue(field: field, reason: "is not an object of one of your tasks"))
            }
        }
        if let callback = body.callbackURL, !known.contains(where: { $0.field == "callback_url" }) {
            if !callbacksEnabled {
                issues.append(FieldIssue(field: "callback_url", reason: "callbacks are not enabled on this server"))
            } else if let problem = await urlGuard.problem(with: callback) {
                issues.append(FieldIssue(field: "callback_url", reason: problem))
            }
        }
        return issues
    }

    /// Whether `key` exists and lies under a task of `userID` (the same answer for someone
    /// else's task and a missing one, so keys of other users cannot be probed).
    private func ownsResult(_ key: String, taskID: String, userID: String) async throws -> Bool {
        guard let id = TaskID(rawValue: taskID), let task = try await store.get(id), task.userID == userID,
              let objectKey = try? ObjectKey(key)
        else { return false }
        return try await objects.head(objectKey) != nil
    }
}
