import Foundation
import Testing
import VideoGenXCore
@testable import VideoGenXServer

@Suite("Accepted submission body")
struct AcceptedBodyTests {
    /// The view as `JSONEncoder` writes it through the envelope: what the body must equal.
    private struct Accepted: Encodable {
        var taskID: String
        var status: String
        var estimatedTime: Int
        var queryURL: String
        enum CodingKeys: String, CodingKey {
            case taskID = "task_id", status, estimatedTime = "estimated_time", queryURL = "query_url"
        }
    }

    @Test(
        "The 202 body is byte for byte what the API's encoder writes, escaping the public URL as it does",
        arguments: [nil, "https://video.example.com", "https://video.example.com/", "https://h.example/pre\"fix\\ü"]
    )
    func sameBytesAsTheEncoder(publicURL: String?) throws {
        let body = AcceptedBody(publicBaseURL: publicURL)
        let base = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? ""
        for (index, status) in [TaskStatus.queued, .succeeded].enumerated() {
            let id = TaskID.make(at: Date(timeIntervalSince1970: 1_800_000_000 + Double(index)))
            for estimate in [0, 7, 123_456] {
                let expected = Envelope.bytes(message: "accepted", data: Accepted(
                    taskID: id.rawValue, status: status.apiName, estimatedTime: estimate, queryURL: base + "/api/v1/video/task/\(id.rawValue)"
                ))
                #expect(body.bytes(taskID: id, status: status, estimatedTime: estimate) == [UInt8](expected))
            }
        }
    }
}
