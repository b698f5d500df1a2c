import Foundation
import Testing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport
@testable import VideoGenXServer

/// The API's status cache: LRU order, reads served from memory, emptied by the store's events,
/// bounded by its TTL.
@Suite("Task status cache")
struct TaskStatusCacheTests {
    @Test("the LRU dictionary forgets the least recently used entry, and a read counts as use")
    func lruOrder() {
        var lru = LRUDictionary<String, Int>(capacity: 2)
        lru.set(1, for: "a")
        lru.set(2, for: "b")
        lru.set(3, for: "c")
        #expect(lru.value(for: "a") == nil && lru.count == 2)
        #expect(lru.value(for: "b") == 2)
        lru.set(4, for: "d")
        #expect(lru.value(for: "c") == nil && lru.value(for: "b") == 2 && lru.value(for: "d") == 4)
        lru.remove("b")
        lru.set(5, for: "e")
        lru.set(6, for: "f")
        #expect(lru.count == 2 && lru.value(for: "e") == 5 && lru.value(for: "f") == 6 && lru.value(for: "d") == nil)
    }

    @Test("reads come from memory until the store reports a change (then the next read is fresh) or the TTL passes; unknown ids are nil")
    func invalidation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tasks.sqlite").path
        // Two stores on one file: the cache hears the first's events; the second's changes it is
        // not told about (nobody runs the first's change poll).
        let store = try SQLiteTaskStore(path: path, durability: .normal)
        let elsewhere = try SQLiteTaskStore(path: path, durability: .normal)
        let clock = ManualWallClock()
        let cache = TaskStatusCache(store: store, capacity: 100, ttl: 60, negativeTTL: 300, clock: clock)
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        try await withThrowingTaskGroup { group in
            group.addTask { try await cache.run() }
            let quiet = try await store.create(NewTask(userID: "u", request: spec)).task
            try await eventually(seconds: 5) { cache.changesSeen == 1 }
            #expect(try await cache.record(quiet.id)?.status == .queued)
            _ = try await elsewhere.cancel(quiet.id, userID: "u")
            #expect(try await cache.record(quiet.id)?.status == .queued, "served from memory: the change was not reported here")
            clock.advance(by: 67)
            #expect(try await cache.record(quiet.id)?.status == .cancelled, "past the TTL (60 s + 10 %) it is read again")

            let told = try await store.create(NewTask(userID: "u", request: spec)).task
            try await eventually(seconds: 5) { cache.changesSeen == 2 }
            #expect(try await cache.record(told.id)?.status == .queued)
            _ = try await store.cancel(told.id, userID: "u")
            try await eventually(seconds: 5) { try await cache.record(told.id)?.status == .cancelled }

            let unknown = TaskRecord(queued: NewTask(userID: "u", request: spec), at: Date()).id
            #expect(try await cache.record(unknown) == nil)
            #expect(try await cache.record(unknown) == nil)
            group.cancelAll()
        }
    }

    @Test("a signed result URL is reused while at least half its life is left, then signed again; its expiry is the one reported")
    func signedURLReuse() throws {
        let clock = ManualWallClock()
        let signer = try URLSigner(secret: Array(repeating: 3, count: 32))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-urls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let objects = try FileObjectStore(root: directory, publicBaseURL: "http://localhost", signer: signer)
        let cache = SignedURLCache(lifetime: 1800, capacity: 10, clock: clock)
        let key = try ObjectKey("videos/a.mp4")
        let first = try cache.url(for: key, objects: objects)
        #expect(first.expiresAt == clock.now().addingTimeInterval(1800))
        clock.advance(by: 900)
        #expect(try cache.url(for: key, objects: objects).url == first.url, "900 s left: still reused")
        clock.advance(by: 1)
        let second = try cache.url(for: key, objects: objects)
        #expect(second.expiresAt == clock.now().addingTimeInterval(1800) && second.expiresAt.timeIntervalSince(clock.now()) >= 900)
        #expect(try cache.url(for: try ObjectKey("videos/b.mp4"), objects: objects).url != second.url)
        // The view's expires_at: the earlier of the two URLs', as formatted when signed.
        #expect(second.expiresAtText == TaskView.timestamp(second.expiresAt) && second.expiresAtText.hasSuffix("Z"))
        #expect(TaskPresenter.expiry(video: second, thumbnail: first) == TaskView.timestamp(first.expiresAt))
        #expect(TaskPresenter.expiry(video: first, thumbnail: second) == TaskView.timestamp(first.expiresAt))
        #expect(TaskPresenter.expiry(video: second, thumbnail: nil) == second.expiresAtText)
        #expect(TaskPresenter.expiry(video: nil, thumbnail: second) == nil)
    }

    @Test("a task's response template renders byte for byte what encoding its view gives: processing, succeeded with and without thumbnail, expired, failed, cancelled; none for a queued task")
    func templateMatchesEncoding() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-template-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        let spec = try GenerationRequest(text: #"a "quoted" prompt \ with / slashes, ünïcode"#, params: .init(duration: 15, steps: 20)).validated()
        func claimed() async throws -> TaskRecord {
            _ = try await store.create(NewTask(userID: "u", request: spec))
            return try #require(try await store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first)
        }
        let queued = try await store.create(NewTask(userID: "u", request: spec)).task
        #expect(TaskViewTemplate(queued) == nil)
        _ = try await store.cancel(queued.id, userID: "u")
        let processing = try await claimed()
        var records = [try #require(try await store.get(queued.id)), processing]
        for thumbnail in ["thumbs/a.jpg", nil] {
            let task = try await claimed()
            records.append(try await store.complete(task.id, token: task.fencingToken, result: TaskResult(
                videoKey: "videos/\(task.id).mp4", thumbnailKey: thumbnail, durationSeconds: 15, width: 1280, height: 720, fps: 24,
                codec: "hevc", sizeBytes: 1234, audioCodec: "aac"
            )))
        }
        try await store.markResultExpired(records[3].id, at: Date())
        records[3] = try #require(try await store.get(records[3].id))
        let failing = try await claimed()
        records.append(try await store.fail(failing.id, token: failing.fencingToken, error: TaskFailure(code: "model_failed", message: "it \"broke\""), retryable: false))
        let (video, thumbnail, expires) = ("https://cdn.example.com/v/a.mp4?signature=ab%2F&expires=1", "https://cdn.example.com/t.jpg?x=\"y\"", "2027-01-01T00:00:00.000Z")
        for record in records {
            let template = try #require(TaskViewTemplate(record), "\(record.status)")
            var result: TaskView.ResultView?
            if let stored = record.result, let keys = TaskPresenter.resultKeys(stored) {
                result = TaskView.ResultView(
                    stored, videoURL: keys.video.map { _ in video }, thumbnailURL: keys.thumbnail.map { _ in thumbnail },
                    expiresAt: keys.video.map { _ in expires }
                )
            }
            let expected = [UInt8](Envelope.bytes(data: TaskView(record, queuePosition: nil, result: result)))
            let rendered = template.render(
                videoURL: template.videoKey.map { _ in video }, thumbnailURL: template.thumbnailKey.map { _ in thumbnail },
                expiresAt: template.videoKey.map { _ in expires }
            )
            #expect(rendered == expected, "\(record.status): \(String(decoding: rendered, as: UTF8.self))")
        }
        #expect(records.map(\.status) == [.cancelled, .processing, .succeeded, .succeeded, .failed])
        #expect(TaskViewTemplate(records[3])?.videoKey == nil && TaskViewTemplate(records[4])?.thumbnailKey == nil)
    }
}
