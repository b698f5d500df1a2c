import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

@Suite("HTTP API: events and synchronous waits", .timeLimit(.minutes(1)))
struct VideoAPIStreamingTests {
    static let result = TaskResult(videoKey: "videos/x/video.mp4", durationSeconds: 15, width: 1280, height: 720, fps: 24, codec: "hevc", sizeBytes: 10)

    /// Plays a worker: after `start`, claims the task (waiting up to 10 s for one to be queued,
    /// as the test machine may be busy), reports progress twice, completes it.
    static func work(_ store: SQLiteTaskStore, start: Duration = .milliseconds(300), pause: Duration = .milliseconds(300)) async throws {
        try await Task.sleep(for: start)
        var claimed = try await store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first
        for _ in 0..<500 where claimed == nil {
            try await Task.sleep(for: .milliseconds(20))
            claimed = try await store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first
        }
        let task = try #require(claimed)
        try await Task.sleep(for: pause)
        _ = try await store.progress(task.id, token: task.fencingToken, percent: 40, stage: "sampling")
        try await Task.sleep(for: pause)
        _ = try await store.progress(task.id, token: task.fencingToken, percent: 80, stage: "encoding")
        try await Task.sleep(for: pause)
        _ = try await store.complete(task.id, token: task.fencingToken, result: result)
    }

    /// The `(id, event, data)` triples of an SSE body.
    static func events(_ body: ByteBuffer) -> [(id: Int64, event: String, data: [String: Any])] {
        String(buffer: body).components(separatedBy: "\n\n").compactMap { block in
            var id: Int64?
            var event = ""
            var data: [String: Any] = [:]
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int64(line.dropFirst(4)) }
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") {
                    data = (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8))) as? [String: Any] ?? [:]
                }
            }
            return id.map { ($0, event, data) }
        }
    }

    @Test("The event stream follows a task from pending to succeeded and then ends; a resumed stream sends only what is new")
    func eventStream() async throws {
        let f = try APIFixture()
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        let task = try await f.store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        let store = f.store
        // A live server and a streaming client: the worker starts only once the first event has
        // arrived, so the stream is seen to begin at pending however busy the machine is.
        let body = try await f.app.test(.live) { client in
            let port = try #require(client.port)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/api/v1/video/task/\(task.id)/events")
                let response = try await http.execute(request, timeout: .seconds(50))
                #expect(response.status == .ok)
                #expect(response.headers.first(name: "content-type") == "text/event-stream")
                var collected = ByteBuffer()
                var worker: Task<Void, any Error>?
                for try await chunk in response.body {
                    collected.writeImmutableBuffer(chunk)
                    if worker == nil, String(buffer: collected).contains("\n\n") {
                        worker = Task { try await Self.work(store, start: .zero, pause: .milliseconds(700)) }
                    }
                }
                try await worker?.value
                try await http.shutdown()
                return collected
            } catch {
                try await http.shutdown()
                throw error
            }
        }
        let events = Self.events(body)
        let statuses = events.map { $0.data["status"] as? String ?? "?" }
        #expect(statuses.first == "pending")
        #expect(statuses.last == "succeeded")
        #expect(events.last?.event == "succeeded")
        #expect(statuses.contains("processing"))
        // The stream carries states, read every 250 ms: an intermediate one may be skipped on a
        // loaded machine, but progress is reported and never goes back.
        let progress = events.compactMap { $0.data["progress"] as? Int }
        #expect(progress.contains { $0 == 40 || $0 == 80 })
        #expect(progress == progress.sorted())
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.id < $1.id }, "ids increase")

        // Reconnecting after the last event: nothing new, the stream just ends.
        let lastID = try #require(events.last?.id)
        try await f.app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/video/task/\(task.id)/events", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: String(lastID)]
            ) { response in
                #expect(Self.events(response.body).isEmpty)
            }
            // Reconnecting with an older id: the current state at once.
            try await client.execute(
                uri: "/api/v1/video/task/\(task.id)/events", method: .get, headers: [HTTPField.Name("Last-Event-ID")!: String(lastID - 1)]
            ) { response in
                #expect(Self.events(response.body).map { $0.event } == ["succeeded"])
            }
        }
    }

    @Test("Prefer: wait=N answers 200 with the finished task when it ends in time, else 202; N over 60 is a 400")
    func preferWait() async throws {
        let f = try APIFixture()
        let store = f.store
        try await f.app.test(.router) { client in
            async let worker: Void = Self.work(store, pause: .milliseconds(100))
            try await client.execute(
                uri: "/api/v1/video/generate", method: .post, headers: [HTTPField.Name("Prefer")!: "wait=10"],
                body: APIFixture.body(APIFixture.validBody)
            ) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .ok)
                #expect((json["data"] as? [String: Any])?["status"] as? String == "succeeded")
            }
            try await worker
            try await client.execute(
                uri: "/api/v1/video/generate", method: .post, headers: [HTTPField.Name("Prefer")!: "wait=0.5"],
                body: APIFixture.body(APIFixture.validBody)
            ) { response in
                #expect(response.status == .accepted)
            }
            try await client.execute(
                uri: "/api/v1/video/generate", method: .post, headers: [HTTPField.Name("Prefer")!: "wait=61"],
                body: APIFixture.body(APIFixture.validBody)
            ) { response in
                let json = try APIFixture.json(response)
                #expect(response.status == .badRequest)
                #expect(((json["data"] as? [String: Any])?["errors"] as? [[String: String]])?.first?["field"] == "header.Prefer")
            }
        }
    }
}
