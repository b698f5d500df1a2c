import Foundation
import Metrics
import MetricsTestKit
import Testing
import VideoGenXCore
import VideoGenXStore

/// ``InstrumentedTaskStore`` on both drivers, with a task-local test metrics factory: each
/// lifecycle transition counted once with bounded labels, every operation timed.
@Suite("Instrumented task store", .timeLimit(.minutes(2)))
struct InstrumentedTaskStoreTests {
    /// The store measured, opened from the fixture's existential.
    static func instrumented<Store: TaskStore & CallbackOutbox>(_ store: Store) -> any TaskStore & CallbackOutbox {
        InstrumentedTaskStore(store)
    }

    static let result = TaskResult(videoKey: "v.mp4", durationSeconds: 1, width: 1280, height: 720, fps: 24, codec: "hevc", sizeBytes: 1)

    @Test("Submissions (not idempotent replays), queue waits, and end states by status and error code are counted; every operation is timed; no label holds an id or a user", arguments: StoreKind.allCases)
    func lifecycle(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind, policy: QueuePolicy(retry: RetryPolicy(retries: 0, fallback: false)))
        let metrics = TestMetrics()
        let firstID = try await withMetricsFactory(metrics) {
            let store = Self.instrumented(f.store)
            let first = try await store.create(NewTask(userID: "alice", request: StoreFixture.spec, priority: .p1, idempotencyKey: "k1", tier: .paid))
            let replay = try await store.create(NewTask(userID: "alice", request: StoreFixture.spec, priority: .p1, idempotencyKey: "k1", tier: .paid))
            #expect(first.created && !replay.created)
            let second = try await store.create(NewTask(userID: "bob", request: StoreFixture.spec, priority: .p2, tier: .free)).task
            let third = try await store.create(NewTask(userID: "carol", request: StoreFixture.spec, priority: .p2, tier: .free)).task
            #expect(try await store.queueDepth() == [.p0: 0, .p1: 1, .p2: 2, .p3: 0])
            f.clock.advance(by: 7)
            let claimed = try await store.claim(worker: "w1", capacity: 2, leaseSeconds: 30)
            #expect(claimed.count == 2)
            let done = try #require(claimed.first { $0.id == first.task.id })
            let failing = try #require(claimed.first { $0.id != first.task.id })
            let queued = try #require([second, third].first { $0.id != failing.id })
            f.clock.advance(by: 3)
            _ = try await store.complete(done.id, token: done.fencingToken, result: Self.result)
            _ = try await store.fail(failing.id, token: failing.fencingToken, error: TaskFailure(code: "ffmpeg_failed", message: "x"), retryable: false)
            _ = try await store.cancel(queued.id, userID: queued.userID)
            _ = try await store.get(queued.id)
            return first.task.id.rawValue
        }
        #expect(metrics.counterTotal(label: "videogenx_tasks_submitted_total", dimensions: [("priority", "P1"), ("tier", "paid")]) == 1)
        #expect(metrics.counterTotal(label: "videogenx_tasks_submitted_total", dimensions: [("priority", "P2"), ("tier", "free")]) == 2)
        #expect(metrics.counterTotal(label: "videogenx_tasks_finished_total", dimensions: [("status", "succeeded"), ("reason", "none")]) == 1)
        #expect(metrics.counterTotal(label: "videogenx_tasks_finished_total", dimensions: [("status", "failed"), ("reason", "ffmpeg_failed")]) == 1)
        #expect(metrics.counterTotal(label: "videogenx_tasks_finished_total", dimensions: [("status", "cancelled"), ("reason", "cancelled")]) == 1)
        let waits = try metrics.expectTimer("videogenx_task_queue_wait_seconds", [("priority", "P1")]).values
        #expect(waits == [7_000_000_000], "the P1 task waited the 7 s the clock moved before its claim")
        let durations = try metrics.expectTimer("videogenx_task_duration_seconds", [("status", "succeeded")]).values
        #expect(durations == [10_000_000_000])
        #expect(try metrics.expectTimer("videogenx_store_operation_duration_seconds", [("op", "create")]).values.count == 4, "the replay is a create too")
        #expect(try metrics.expectTimer("videogenx_store_operation_duration_seconds", [("op", "get")]).values.count == 1)
        let ids = [firstID, "alice", "bob", "carol", "k1"]
        for counter in metrics.counters {
            #expect(!counter.dimensions.contains { dimension in ids.contains { dimension.1.contains($0) } }, "\(counter.label) \(counter.dimensions)")
        }
    }

    @Test("A store error is counted by operation and rethrown")
    func errors() async throws {
        let f = try await StoreFixture(.sqlite)
        let metrics = TestMetrics()
        await withMetricsFactory(metrics) {
            let store = Self.instrumented(f.store)
            await #expect(throws: StoreError.self) {
                try await store.complete(TaskID.make(at: Date()), token: 1, result: Self.result)
            }
        }
        #expect(metrics.counterTotal(label: "videogenx_store_errors_total", dimensions: [("op", "complete")]) == 1)
        #expect(metrics.counterTotal(label: "videogenx_store_errors_total", dimensions: [("op", "get")]) == 0)
    }
}
