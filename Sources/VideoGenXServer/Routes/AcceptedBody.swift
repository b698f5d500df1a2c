import Foundation
import VideoGenXCore

/// The `202` body of an accepted submission, `{"code":0,"data":{"estimated_time",
/// "query_url","status","task_id"},"message":"accepted"}`, written from parts encoded once per
/// server (the query URL's base, escaped by the API's encoder) instead of through `JSONEncoder`
/// per submission (2.5 % of a submission's CPU, docs/benchmarks.md). The same bytes as
/// ``Envelope/bytes(code:message:data:)`` of the view: a test compares them.
struct AcceptedBody: Sendable {
    /// `…"query_url":"<escaped base>/api/v1/video/task/` — the id and the closing quote follow.
    private let queryURLPrefix: [UInt8]

    /// Bodies whose query URL starts with `publicBaseURL` (`http.public_url`; relative without).
    init(publicBaseURL: String?) {
        let base = publicBaseURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? ""
        // The encoder escapes the base as every other answer does; the quote it closes with is dropped.
        let quoted = (try? Envelope.encoder.encode(base + "/api/v1/video/task/")) ?? Data(#""/api/v1/video/task/""#.utf8)
        queryURLPrefix = Array(#","query_url":"#.utf8) + quoted.dropLast()
    }

    /// The body for `task`, expected in about `estimatedTime` seconds. Task ids and status names
    /// need no escaping (Crockford base32 and fixed words).
    func bytes(taskID: TaskID, status: TaskStatus, estimatedTime: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + queryURLPrefix.count)
        bytes.append(contentsOf: #"{"code":0,"data":{"estimated_time":"#.utf8)
        bytes.append(contentsOf: String(estimatedTime).utf8)
        bytes.append(contentsOf: queryURLPrefix)
        bytes.append(contentsOf: taskID.rawValue.utf8)
        bytes.append(contentsOf: #"","status":""#.utf8)
        bytes.append(contentsOf: status.apiName.utf8)
        bytes.append(contentsOf: #"","task_id":""#.utf8)
        bytes.append(contentsOf: taskID.rawValue.utf8)
        bytes.append(contentsOf: #""},"message":"accepted"}"#.utf8)
        return bytes
    }
}
