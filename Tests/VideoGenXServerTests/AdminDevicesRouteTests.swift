import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
import VideoGenXServer

/// `GET /api/v1/admin/devices`: admins see every device and the queue; other tiers get 403;
/// a server without a worker answers 404.
@Suite("Admin devices route")
struct AdminDevicesRouteTests {
    static let path = "/api/v1/admin/devices"
    static let devices = [
        DeviceStatus(name: "cpu", kind: "cpu", state: "online", utilisation: 0.25, memoryUsedBytes: 1 << 20, memoryTotalBytes: 1 << 30, runningTasks: 1),
        DeviceStatus(name: "gpu:0", kind: "gpu", state: "offline"),
    ]

    @Test("Admin: 200 with each device, the warm models and the queue depth; free and paid: 403; no worker: 404", arguments: ["admin", "free", "paid", "none"])
    func access(who: String) async throws {
        let f = try await AccessFixture.make(devices: who == "none" ? nil : Self.devices)
        let key = who == "free" ? f.free : who == "paid" ? f.paid : f.admin
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(key, .get, Self.path)) { response in
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                switch who {
                case "admin":
                    #expect(response.status == .ok)
                    let data = try #require(json["data"] as? [String: Any])
                    #expect(data["queued_tasks"] as? Int == 0)
                    let devices = try #require(data["devices"] as? [[String: Any]])
                    #expect(devices.map { $0["name"] as? String } == ["cpu", "gpu:0"])
                    #expect(devices[0]["utilisation"] as? Double == 0.25 && devices[0]["running_tasks"] as? Int == 1)
                    #expect(devices[1]["state"] as? String == "offline" && devices[1]["utilisation"] == nil)
                    let models = try #require(data["models"] as? [[String: Any]])
                    #expect(models.first?["name"] as? String == "procedural" && models.first?["loads"] as? Int == 1)
                    #expect(models.first?["first_use_seconds"] as? Double == 0.25 && models.first?["warm_seconds"] as? Double == 0.00001)
                case "none":
                    #expect(response.status == .notFound)
                default:
                    #expect(response.status == .forbidden && json["code"] as? String == "forbidden_by_tier")
                }
            }
        }
    }
}
