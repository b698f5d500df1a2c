import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXServer

/// `GET /api/v1/video/options`: every generate field with the server's defaults, the caller's
/// tier applied; the console builds its form from it.
@Suite("Submission options route")
struct SubmissionOptionsRouteTests {
    static let path = "/api/v1/video/options"

    static func fields(_ f: AccessFixture, _ key: (id: String, secret: String), client: some TestClientProtocol) async throws -> [[String: Any]] {
        try await client.execute(uri: path, method: .get, headers: f.signed(key, .get, path)) { response in
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let data = try #require(json["data"] as? [String: Any])
            return try #require(data["fields"] as? [[String: Any]])
        }
    }

    static func field(_ fields: [[String: Any]], _ name: String) -> [String: Any]? {
        fields.first { $0["name"] as? String == name }
    }

    @Test("A free key is offered P2–P3 and no 4K and no custom watermark; an admin key P0–P3, 4K and the watermark; defaults are the server's")
    func tiers() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            let free = try await Self.fields(f, f.free, client: client)
            #expect(Self.field(free, "priority")?["choices"] as? [Int] == [2, 3])
            #expect(Self.field(free, "priority")?["default"] as? Int == 2)
            #expect(Self.field(free, "params.resolution")?["choices"] as? [String] == ["720P", "1080P"])
            #expect(Self.field(free, "params.resolution")?["default"] as? String == "1080P")
            #expect(Self.field(free, "params.watermark.text") == nil)
            #expect(Self.field(free, "params.duration")?["min"] as? Double == 15 && Self.field(free, "params.duration")?["max"] as? Double == 60)
            #expect(Self.field(free, "params.codec")?["default"] as? String == "h265" && Self.field(free, "params.codec")?["console_default"] as? String == "h264")
            #expect(Self.field(free, "text")?["required"] as? Bool == true)
            #expect(Self.field(free, "params.subtitle.position")?["requires"] as? [String] == ["params.subtitle.text"])
            let admin = try await Self.fields(f, f.admin, client: client)
            #expect(Self.field(admin, "priority")?["choices"] as? [Int] == [0, 1, 2, 3])
            #expect((Self.field(admin, "params.resolution")?["choices"] as? [String])?.contains("4K") == true)
            #expect(Self.field(admin, "params.watermark.text") != nil)
            #expect(Self.field(admin, "params.watermark.opacity")?["requires"] as? [String] == ["params.watermark.text", "params.watermark.image"])
        }
    }

    @Test("A request made of every field at its offered default (the console's where it has one), with a subtitle, a watermark and music named so their qualifiers apply, is accepted: the names and defaults are the API's own")
    func defaultsAreAccepted() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            let fields = try await Self.fields(f, f.admin, client: client)
            let given: [String: Any] = [
                "text": "a lighthouse at dawn", "params.subtitle.text": "hello", "params.watermark.text": "VGX",
                "params.background_music.builtin": "calm",
            ]
            var body: [String: Any] = [:]
            func set(_ path: [String], _ value: Any, in object: inout [String: Any]) {
                guard path.count > 1 else { object[path[0]] = value; return }
                var child = object[path[0]] as? [String: Any] ?? [:]
                set(Array(path.dropFirst()), value, in: &child)
                object[path[0]] = child
            }
            var filled = 0
            for field in fields {
                guard let name = field["name"] as? String, let value = given[name] ?? field["console_default"] ?? field["default"] else { continue }
                set(name.split(separator: ".").map(String.init), value, in: &body)
                filled += 1
            }
            let data = try JSONSerialization.data(withJSONObject: body)
            let text = String(decoding: data, as: UTF8.self)
            let path = "/api/v1/video/generate"
            try await client.execute(uri: path, method: .post, headers: f.signed(f.admin, .post, path, body: text), body: ByteBuffer(string: text)) { response in
                #expect(response.status == .accepted, "\(String(buffer: response.body)) for \(text)")
            }
            #expect(filled >= 25, "every field but the optional ones has a value: \(filled)")
        }
    }

    @Test("Unsigned: 401")
    func unsigned() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }
}
