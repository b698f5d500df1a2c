import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

/// `GET /api/v1/admin/queue`: queue depth per lane and recent failures, admins only; and a
/// queued task's view carries `estimated_time`.
@Suite("Admin queue route")
struct AdminQueueRouteTests {
    static let path = "/api/v1/admin/queue"

    static func submit(_ f: AccessFixture, client: some TestClientProtocol, priority: Int) async throws -> String {
        let path = "/api/v1/video/generate"
        let body = #"{"text": "a lighthouse", "priority": \#(priority)}"#
        return try await client.execute(uri: path, method: .post, headers: f.signed(f.admin, .post, path, body: body), body: ByteBuffer(string: body)) { response in
            #expect(response.status == .accepted)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            return try #require((json["data"] as? [String: Any])?["task_id"] as? String)
        }
    }

    @Test("Admin: queued tasks per lane and the failed task with its reason; free: 403")
    func queue() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            _ = try await Self.submit(f, client: client, priority: 0)
            _ = try await Self.submit(f, client: client, priority: 3)
            _ = try await Self.submit(f, client: client, priority: 3)
            let claimed = try #require(try await f.store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first)
            _ = try await f.store.fail(claimed.id, token: claimed.fencingToken, error: TaskFailure(code: "out_of_memory", message: "too big"), retryable: false)
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(f.admin, .get, Self.path)) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let data = try #require(json["data"] as? [String: Any])
                #expect(data["queued_tasks"] as? Int == 2)
                #expect(data["queue_depth"] as? [String: Int] == ["P0": 0, "P1": 0, "P2": 0, "P3": 2])
                let failures = try #require(data["recent_failures"] as? [[String: Any]])
                #expect(failures.count == 1 && failures.first?["task_id"] as? String == claimed.id.rawValue)
                #expect(failures.first?["code"] as? String == "out_of_memory" && failures.first?["message"] as? String == "too big")
                #expect(failures.first?["user_id"] as? String == "root" && failures.first?["finished_at"] is String)
            }
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(f.free, .get, Self.path)) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("A queued task's view carries estimated_time; a running one does not")
    func estimate() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            let id = try await Self.submit(f, client: client, priority: 2)
            let path = "/api/v1/video/task/\(id)"
            try await client.execute(uri: path, method: .get, headers: f.signed(f.admin, .get, path)) { response in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let data = try #require(json["data"] as? [String: Any])
                #expect(data["queue_position"] as? Int == 0)
                #expect((data["estimated_time"] as? Int ?? 0) > 0)
            }
            _ = try #require(try await f.store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first)
            try await client.execute(uri: path, method: .get, headers: f.signed(f.admin, .get, path)) { response in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let data = try #require(json["data"] as? [String: Any])
                #expect(data["status"] as? String == "processing" && data["estimated_time"] == nil)
            }
        }
    }
}
