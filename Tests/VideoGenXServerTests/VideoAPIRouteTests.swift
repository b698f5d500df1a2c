import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

/// A temporary store, object store and API (no worker: tasks stay where the test puts them).
final class APIFixture: Sendable {
    let directory: URL
    let store: SQLiteTaskStore
    let objects: FileObjectStore
    let signer: URLSigner
    let app: Application<RouterResponder<APIRequestContext>>

    /// The users' webhook secrets (a fixed master key).
    static let secrets = WebhookSecrets(masterKey: Array(repeating: 7, count: 32))

    init(workerRunning: Bool = true, callbacks: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        signer = try URLSigner(secret: Array(repeating: 3, count: 32))
        objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: signer)
        var configuration = ServerConfiguration()
        configuration.publicBaseURL = "https://videos.example.com/"
        let api = VideoAPI(
            store: store, objects: objects, signer: signer, configuration: configuration, webhookSecrets: callbacks ? Self.secrets : nil,
            workerProblem: { workerRunning ? nil : "worker: not running" }
        )
        app = Application(router: api.buildRouter())
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The decoded JSON body of a response.
    static func json(_ response: TestResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        return object as? [String: Any] ?? [:]
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static let validBody = #"{"text":"a red fox","params":{"resolution":"720P","duration":15,"steps":20,"seed":5},"priority":1}"#
}

@Suite("HTTP API routes")
struct VideoAPIRouteTests {
    @Test("POST generate answers 202 with the task id, status pending, an estimate and the query URL on http.public_url")
    func submit() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: APIFixture.body(APIFixture.validBody)) { response in
                #expect(response.status == .accepted)
                let json = try APIFixture.json(response)
                #expect(json["code"] as? Int == 0)
                let data = try #require(json["data"] as? [String: Any])
                let id = try #require(data["task_id"] as? String)
                #expect(TaskID(rawValue: id) != nil)
                #expect(data["status"] as? String == "pending")
                #expect(data["query_url"] as? String == "https://videos.example.com/api/v1/video/task/\(id)")
                // 450 frames (15 s at the default 30 fps) of 720P at the default 0.05 s per frame-equivalent.
                #expect(data["estimated_time"] as? Int == 23)
                let taskID = try #require(TaskID(rawValue: id))
                let stored = try #require(try await f.store.get(taskID))
                #expect(stored.priority == .p1 && stored.request.seed == 5 && stored.userID == Identity.local.userID)
                #expect(stored.tier == Identity.local.tier, "the submitter's tier is recorded for preemption")
            }
        }
    }

    @Test("Every problem of a bad body is listed with its field, as a 400 in the envelope")
    func badBody() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            let body = #"{"text":"","params":{"fps":25,"resolution":"8K","steps":"many","cfg_scale":30,"extra":true},"priority":9,"nope":1}"#
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: APIFixture.body(body)) { response in
                #expect(response.status == .badRequest)
                let json = try APIFixture.json(response)
                #expect(json["code"] as? String == "invalid_request")
                let errors = try #require((json["data"] as? [String: Any])?["errors"] as? [[String: String]])
                let fields = Set(errors.compactMap { $0["field"] })
                #expect(fields == ["nope", "priority", "params.extra", "params.steps", "text", "params.resolution", "params.fps", "params.cfg_scale"])
                #expect(errors.contains { $0["field"] == "params.fps" && $0["reason"] == "must be 24 or 30, got 25" })
            }
            for malformed in ["{", "[1,2]", "null", ""] {
                try await client.execute(uri: "/api/v1/video/generate", method: .post, body: APIFixture.body(malformed)) { response in
                    let json = try APIFixture.json(response)
                    #expect(response.status == .badRequest, "\(malformed)")
                    #expect(json["code"] != nil)
                }
            }
        }
    }

    @Test("Oversized bodies get 413 in the envelope")
    func oversized() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            let huge = ByteBuffer(repeating: UInt8(ascii: "a"), count: 13 * 1024 * 1024)
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: huge) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .contentTooLarge)
                #expect(json["code"] as? String == "body_too_large")
            }
        }
    }

    @Test("Idempotency-Key returns the first task")
    func idempotency() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            var collected: [String] = []
            for _ in 0..<2 {
                let id = try await client.execute(
                    uri: "/api/v1/video/generate", method: .post, headers: [HTTPField.Name("Idempotency-Key")!: "order-42"],
                    body: APIFixture.body(APIFixture.validBody)
                ) { response -> String? in
                    let json = try APIFixture.json(response)
                    #expect(response.status == .accepted)
                    return (json["data"] as? [String: Any])?["task_id"] as? String
                }
                collected.append(try #require(id))
            }
            let ids = collected
            #expect(ids.count == 2 && ids[0] == ids[1])
        }
    }

    @Test("GET task shows status, queue position and the request echo; unknown, malformed and foreign ids are 404")
    func getTask() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20, seed: 9)).validated()
        let mine = try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        let foreign = try await f.store.create(NewTask(userID: "someone-else", request: spec)).task
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/video/task/\(mine.id)", method: .get) { response in
                #expect(response.status == .ok)
                let data = try #require(try APIFixture.json(response)["data"] as? [String: Any])
                #expect(data["status"] as? String == "pending")
                #expect(data["stage"] as? String == "queued")
                #expect(data["queue_position"] as? Int == 0)
                #expect(data["attempts"] as? Int == 0)
                let params = try #require((data["request"] as? [String: Any])?["params"] as? [String: Any])
                #expect(params["seed"] as? Int == 9 && params["resolution"] as? String == "1080P")
            }
            for uri in ["/api/v1/video/task/\(foreign.id)", "/api/v1/video/task/\(TaskID.make(at: Date()))", "/api/v1/video/task/..%2F..%2Fetc", "/api/v1/nothing-here"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let json = try APIFixture.json(response)
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(json["code"] as? String == "not_found", "\(uri)")
                }
            }
        }
    }

    @Test("Cancel: a pending task is cancelled at once; a finished one is a 409; a foreign one a 404")
    func cancel() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        let mine = try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        let foreign = try await f.store.create(NewTask(userID: "other", request: spec)).task
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/video/task/\(mine.id)/cancel", method: .post) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .ok)
                #expect((json["data"] as? [String: Any])?["status"] as? String == "cancelled")
            }
            try await client.execute(uri: "/api/v1/video/task/\(mine.id)/cancel", method: .post) { response in
                #expect(response.status == .conflict)
            }
            try await client.execute(uri: "/api/v1/video/task/\(foreign.id)/cancel", method: .post) { response in
                #expect(response.status == .notFound)
            }
        }
        #expect(try await f.store.get(foreign.id)?.status == .queued)
    }

    @Test("List pages the caller's tasks newest first with a cursor and a status filter; bad queries are 400")
    func list() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        var ids: [String] = []
        for _ in 0..<5 {
            ids.append(try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task.id.rawValue)
            try await Task.sleep(for: .milliseconds(2))
        }
        _ = try await f.store.create(NewTask(userID: "other", request: spec))
        let created = ids
        try await f.app.test(.router) { client in
            var seen: [String] = []
            var cursor: String?
            repeat {
                let uri = "/api/v1/video/tasks?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                cursor = try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .ok)
                    let data = try #require(try APIFixture.json(response)["data"] as? [String: Any])
                    seen += (data["tasks"] as? [[String: Any]] ?? []).compactMap { $0["task_id"] as? String }
                    return data["next_cursor"] as? String
                }
            } while cursor != nil
            #expect(seen == created.reversed())
            try await client.execute(uri: "/api/v1/video/tasks?status=pending&limit=100", method: .get) { response in
                let json = try APIFixture.json(response)
                #expect(((json["data"] as? [String: Any])?["tasks"] as? [Any])?.count == 5)
            }
            try await client.execute(uri: "/api/v1/video/tasks?status=sleeping&limit=0&cursor=zz", method: .get) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .badRequest)
                let errors = (json["data"] as? [String: Any])?["errors"] as? [[String: String]]
                #expect(Set(errors?.compactMap { $0["field"] } ?? []) == ["query.status", "query.limit", "query.cursor"])
            }
        }
    }

    @Test("A result expired by retention: GET shows result.expired with no URLs; GET …/content is 410 expired")
    func expiredResult() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20, seed: 9)).validated()
        let task = try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        let claimed = try #require(try await f.store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first)
        let result = TaskResult(videoKey: "videos/\(task.id)/video.mp4", thumbnailKey: "videos/\(task.id)/thumbnail.webp", durationSeconds: 15, width: 1920, height: 1080, fps: 30, codec: "hevc", sizeBytes: 10)
        _ = try await f.store.complete(claimed.id, token: claimed.fencingToken, result: result)
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/video/task/\(task.id)", method: .get) { response in
                let view = try #require((try APIFixture.json(response)["data"] as? [String: Any])?["result"] as? [String: Any])
                #expect(view["expired"] as? Bool == false && view["video_url"] is String && view["expires_at"] is String)
            }
            try await f.store.markResultExpired(task.id, at: Date())
            try await client.execute(uri: "/api/v1/video/task/\(task.id)", method: .get) { response in
                let data = try #require(try APIFixture.json(response)["data"] as? [String: Any])
                let view = try #require(data["result"] as? [String: Any])
                #expect(data["status"] as? String == "succeeded")
                #expect(view["expired"] as? Bool == true && view["size_bytes"] as? Int == 10)
                #expect(view["video_url"] == nil && view["thumbnail_url"] == nil && view["expires_at"] == nil, "\(view)")
            }
            try await client.execute(uri: "/api/v1/video/task/\(task.id)/content", method: .get) { response in
                #expect(response.status == .gone)
                let json = try APIFixture.json(response)
                #expect(json["code"] as? String == "expired")
            }
        }
    }

    @Test("Signed object URLs serve the bytes with ranges and answer HEAD with the same headers; tampered or expired URLs get 403 for both; bad ranges 416")
    func objects() async throws {
        let f = try APIFixture()
        let key = try ObjectKey("videos/vidX/video.mp4")
        let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        _ = try await f.objects.put(key, chunks: AsyncStream { $0.yield(bytes); $0.finish() }, contentType: "video/mp4")
        let url = try f.objects.presignedGet(key, expiresIn: 1800)
        let uri = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)).path + "?" + (url.query ?? "")
        try await f.app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "video/mp4")
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(Array(buffer: response.body) == bytes)
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=10-19"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 10-19/100000")
                #expect(Array(buffer: response.body) == Array(bytes[10...19]))
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=-5"]) { response in
                #expect(Array(buffer: response.body) == Array(bytes.suffix(5)))
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=200000-"]) { response in
                #expect(response.status == .rangeNotSatisfiable)
                #expect(response.headers[.contentRange] == "bytes */100000")
            }
            // HEAD answers as GET would, without the body.
            try await client.execute(uri: uri, method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentLength] == "100000" && response.headers[.contentType] == "video/mp4")
                #expect(response.body.readableBytes == 0)
            }
            let tampered = uri.replacingOccurrences(of: "vidX", with: "vidY")
            let expired = uri.replacingOccurrences(of: "expires=", with: "expires=1")
            for bad in [tampered, expired, "/api/v1/objects/videos/vidX/video.mp4"] {
                for method in [HTTPRequest.Method.get, .head] {
                    try await client.execute(uri: bad, method: method) { response in
                        #expect(response.status == .forbidden, "\(method) \(bad)")
                    }
                }
            }
        }
        let past = f.signer.query(path: FileObjectStore.apiPath(for: key), expires: Date().addingTimeInterval(-1))
        try await f.app.test(.router) { client in
            try await client.execute(uri: FileObjectStore.apiPath(for: key) + "?" + past, method: .get) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .forbidden)
                #expect(json["code"] as? String == "expired")
            }
        }
    }

    @Test("healthz is always up; readyz reports a stopped worker as 503")
    func health() async throws {
        let up = try APIFixture(workerRunning: true)
        try await up.app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
        let down = try APIFixture(workerRunning: false)
        try await down.app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .serviceUnavailable)
                #expect(json["message"] as? String == "worker: not running")
            }
        }
    }

    @Test("GET /openapi.yaml serves the OpenAPI 3.1 document without authentication")
    func openAPI() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/yaml")
                let text = String(buffer: response.body)
                #expect(text.hasPrefix("openapi: 3.1.0"))
                for path in ["/api/v1/video/generate:", "/api/v1/video/task/{task_id}/events:", "/api/v1/webhooks/secret:", "/healthz:"] {
                    #expect(text.contains(path), "documents \(path)")
                }
            }
        }
    }
}
