import Foundation
import Logging
import Testing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite

/// `objects.retention_days`: the job deletes old results' objects and marks them expired.
@Suite("Result retention")
struct ResultRetentionTests {
    /// A clock fixed at one instant.
    struct FixedClock: WallClock {
        let date: Date
        func now() -> Date { date }
    }

    @Test("A pass deletes the video and thumbnail of results older than the retention and marks them expired; younger results and their objects stay")
    func expiresOldResults() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-retention-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        let objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: .random())
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20, seed: 9)).validated()
        var ids: [TaskID] = []
        for _ in 0..<2 {
            let task = try await store.create(NewTask(userID: "u", request: spec)).task
            let claimed = try #require(try await store.claim(worker: "w", capacity: 1, leaseSeconds: 30).first)
            for name in ["video.mp4", "thumbnail.webp"] {
                _ = try await objects.put(try ObjectKey("videos/\(task.id)/\(name)"), chunks: AsyncStream { $0.yield([1, 2, 3]); $0.finish() }, contentType: "x/y")
            }
            let result = TaskResult(
                videoKey: "videos/\(task.id)/video.mp4", thumbnailKey: "videos/\(task.id)/thumbnail.webp", durationSeconds: 15, width: 1, height: 1,
                fps: 30, codec: "hevc", sizeBytes: 3
            )
            _ = try await store.complete(claimed.id, token: claimed.fencingToken, result: result)
            ids.append(task.id)
            try await Task.sleep(for: .milliseconds(20))
        }
        let firstFinished = try #require(try await store.get(ids[0])?.finishedAt)
        // 90 days after the first finished, plus 10 ms: the first is due, the second (20 ms younger) is not.
        let now = firstFinished.addingTimeInterval(90 * 86_400 + 0.010)
        let job = ResultRetention(days: 90, store: store, objects: objects, wallClock: FixedClock(date: now), logger: Logger(label: "test"))
        #expect(try await job.pass() == 1)
        #expect(try await store.get(ids[0])?.result?.expiredAt == now)
        #expect(try await objects.list(prefix: "videos/\(ids[0])/").isEmpty)
        #expect(try await store.get(ids[1])?.result?.expiredAt == nil)
        #expect(try await objects.list(prefix: "videos/\(ids[1])/").count == 2)
        #expect(try await job.pass() == 0, "a second pass finds nothing more")
    }
}
