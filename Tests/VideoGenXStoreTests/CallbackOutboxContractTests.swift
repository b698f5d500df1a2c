import Foundation
import Testing
import VideoGenXCore
import VideoGenXStore
import VideoGenXStoreSQLite

/// The webhook outbox contract: a terminal state with a callback URL enqueues exactly one
/// delivery in the same transaction; deliveries are claimed when due, held while attempted, and
/// survive a reopen of the store.
@Suite("CallbackOutbox contract")
struct CallbackOutboxContractTests {
    static let hook = "https://hooks.example.com/videogenx"

    @Test("Each terminal state with a callback URL enqueues one delivery; tasks without one enqueue none", arguments: StoreKind.allCases)
    func enqueuesOnTerminalStates(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let plain = try await f.create()
        _ = try await f.store.cancel(plain.id, userID: "alice")
        #expect(try await f.store.callbacks(of: plain.id).isEmpty)

        let cancelled = try await f.create(callback: Self.hook)
        _ = try await f.store.cancel(cancelled.id, userID: "alice")
        let succeeded = try await f.create(callback: Self.hook)
        let first = try await f.claimOne()
        let failed = try await f.create(callback: Self.hook)
        let second = try await f.claimOne()
        #expect([first.id, second.id] == [succeeded.id, failed.id])
        _ = try await f.store.complete(first.id, token: first.fencingToken, result: TaskResult(
            videoKey: "videos/x.mp4", durationSeconds: 15, width: 1280, height: 720, fps: 24, codec: "hevc", sizeBytes: 10
        ))
        _ = try await f.store.fail(second.id, token: second.fencingToken, error: TaskFailure(code: "bad", message: "no"), retryable: false)

        for (task, event) in [(cancelled, "task.cancelled"), (succeeded, "task.succeeded"), (failed, "task.failed")] {
            let deliveries = try await f.store.callbacks(of: task.id)
            #expect(deliveries.count == 1)
            let delivery = try #require(deliveries.first)
            #expect(delivery.id == "msg_\(task.id.rawValue)_\(event.dropFirst(5))")
            #expect(delivery.event == event && delivery.url == Self.hook && delivery.userID == "alice")
            #expect(delivery.state == .pending && delivery.attempts == 0 && delivery.nextAttemptAt == f.clock.now())
        }
    }

    @Test("A retry with backoff queues no delivery: only the final state does", arguments: StoreKind.allCases)
    func retriesAreNotTerminal(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let task = try await f.create(callback: Self.hook)
        let claimed = try await f.claimOne()
        _ = try await f.store.fail(claimed.id, token: claimed.fencingToken, error: TaskFailure(code: "x", message: "y"), retryable: true)
        #expect(try await f.store.get(task.id)?.status == .queued)
        #expect(try await f.store.callbacks(of: task.id).isEmpty)
    }

    @Test("Due deliveries are claimed once, held for the lease, retried at the recorded time, and done when delivered", arguments: StoreKind.allCases)
    func claimAndRecord(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let task = try await f.create(callback: Self.hook)
        _ = try await f.store.cancel(task.id, userID: "alice")

        let claimed = try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 10, leaseSeconds: 60)
        #expect(claimed.map(\.attempts) == [1])
        #expect(try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 10, leaseSeconds: 60).isEmpty, "held while attempted")
        let id = try #require(claimed.first?.id)

        let retryAt = f.clock.now().addingTimeInterval(5)
        try await f.store.recordCallbackAttempt(id, outcome: .retry(status: 500, error: "answered 500", retryAt: retryAt), at: f.clock.now())
        #expect(try await f.store.claimDueCallbacks(now: f.clock.now().addingTimeInterval(4.9), limit: 10, leaseSeconds: 60).isEmpty)
        f.clock.advance(by: 5)
        let again = try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 10, leaseSeconds: 60)
        #expect(again.map(\.id) == [id] && again.first?.attempts == 2)

        try await f.store.recordCallbackAttempt(id, outcome: .delivered(status: 204), at: f.clock.now())
        let stored = try #require(try await f.store.callbacks(of: task.id).first)
        #expect(stored.state == .delivered && stored.lastStatus == 204 && stored.deliveredAt == f.clock.now() && stored.lastError == nil)
        f.clock.advance(by: 3600)
        #expect(try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 10, leaseSeconds: 60).isEmpty)
        await expectStoreError(.notFound) {
            try await f.store.recordCallbackAttempt("msg_nope", outcome: .delivered(status: 200), at: f.clock.now())
        }
    }

    @Test("An abandoned delivery is never claimed again and keeps its reason", arguments: StoreKind.allCases)
    func abandon(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let task = try await f.create(callback: Self.hook)
        _ = try await f.store.cancel(task.id, userID: "alice")
        let id = try #require(try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 1, leaseSeconds: 60).first?.id)
        try await f.store.recordCallbackAttempt(id, outcome: .abandon(status: nil, error: "refused"), at: f.clock.now())
        f.clock.advance(by: 86_400)
        #expect(try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 10, leaseSeconds: 60).isEmpty)
        let stored = try #require(try await f.store.callbacks(of: task.id).first)
        #expect(stored.state == .abandoned && stored.lastError == "refused")
    }

    @Test("A pending delivery survives closing and reopening the store; one claimed by a crashed dispatcher comes back after its lease", arguments: StoreKind.allCases)
    func survivesRestart(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let taskID: TaskID
        do {
            let task = try await f.store.create(NewTask(userID: "alice", request: StoreFixture.spec, callbackURL: Self.hook)).task
            _ = try await f.store.cancel(task.id, userID: "alice")
            _ = try await f.store.claimDueCallbacks(now: f.clock.now(), limit: 1, leaseSeconds: 60)
            taskID = task.id
        }
        let reopened = try f.reopen()
        #expect(try await reopened.claimDueCallbacks(now: f.clock.now().addingTimeInterval(59), limit: 1, leaseSeconds: 60).isEmpty)
        let back = try await reopened.claimDueCallbacks(now: f.clock.now().addingTimeInterval(60), limit: 1, leaseSeconds: 60)
        #expect(back.map(\.taskID) == [taskID] && back.first?.attempts == 2)
    }
}
