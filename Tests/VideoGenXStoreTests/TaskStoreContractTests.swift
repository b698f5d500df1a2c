import Foundation
import GRDB
import Testing
import VideoGenXCore
import VideoGenXStore
import VideoGenXStoreSQLite

/// The queue contract of DESIGN §4, run against every ``TaskStore``.
@Suite("TaskStore contract")
struct TaskStoreContractTests {
    @Test("create enqueues a queued task that get returns unchanged", arguments: StoreKind.allCases)
    func createAndGet(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let task = try await f.create(priority: .p1)
        #expect(task.status == .queued)
        #expect(task.priority == .p1)
        #expect(task.attempt == 0 && task.fencingToken == 0)
        #expect(task.request == StoreFixture.spec)
        #expect(task.id.rawValue.hasPrefix("vid20260101000000000"))
        #expect(try await f.store.get(task.id) == task)
        #expect(try await f.store.get(TaskID.make(at: Date())) == nil)
    }

    @Test("An idempotency key returns the first task for the same user and adds no row", arguments: StoreKind.allCases)
    func idempotency(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let first = try await f.store.create(NewTask(userID: "alice", request: StoreFixture.spec, idempotencyKey: "k1"))
        let again = try await f.store.create(NewTask(userID: "alice", request: StoreFixture.spec, priority: .p0, idempotencyKey: "k1"))
        #expect(first.created && !again.created)
        #expect(again.task == first.task)
        let other = try await f.store.create(NewTask(userID: "bob", request: StoreFixture.spec, idempotencyKey: "k1"))
        #expect(other.created && other.task.id != first.task.id)
        #expect(try await f.store.list(userID: "alice", status: nil, limit: 10, after: nil).tasks.count == 1)
    }

    @Test("list pages newest first, filters by status, and keeps no gaps or duplicates while inserts happen", arguments: StoreKind.allCases)
    func pagination(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        var created: [TaskID] = []
        for _ in 0..<25 {
            created.append(try await f.create().id)
            f.clock.advance(by: 0.001)
        }
        _ = try await f.create(user: "bob")
        var seen: [TaskID] = []
        var cursor: TaskID?
        repeat {
            let page = try await f.store.list(userID: "alice", status: nil, limit: 7, after: cursor)
            seen += page.tasks.map(\.id)
            cursor = page.nextCursor
            // New tasks arriving between pages are newer than the cursor: they do not shift pages.
            _ = try await f.create()
            f.clock.advance(by: 0.001)
        } while cursor != nil
        #expect(Array(seen.prefix(25)) == Array(created.reversed()))
        #expect(Set(seen).count == seen.count)

        _ = try await f.claimOne()
        let processing = try await f.store.list(userID: "alice", status: .processing, limit: 10, after: nil)
        #expect(processing.tasks.count == 1 && processing.tasks[0].id == created[0])
        await #expect(throws: StoreError.self) { try await f.store.list(userID: "alice", status: nil, limit: 0, after: nil) }
    }

    @Test("claim leases up to capacity, oldest first, with a fresh fencing token", arguments: StoreKind.allCases)
    func claim(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        #expect(try await f.store.claim(worker: "w1", capacity: 4, leaseSeconds: 30).isEmpty)
        let a = try await f.create()
        f.clock.advance(by: 1)
        let b = try await f.create()
        f.clock.advance(by: 1)
        _ = try await f.create()
        let claimed = try await f.store.claim(worker: "w1", capacity: 2, leaseSeconds: 30)
        #expect(claimed.map(\.id) == [a.id, b.id])
        for task in claimed {
            #expect(task.status == .processing)
            #expect(task.fencingToken == 1)
            #expect(task.leaseOwner == "w1")
            #expect(task.leaseExpiresAt == f.clock.now().addingTimeInterval(30))
            #expect(task.startedAt == f.clock.now())
        }
        #expect(try await f.store.claim(worker: "w2", capacity: 5, leaseSeconds: 30).count == 1)
        await #expect(throws: StoreError.self) { try await f.store.claim(worker: "w", capacity: 0, leaseSeconds: 30) }
    }

    @Test("heartbeat extends the lease; a stale token is refused and changes nothing", arguments: StoreKind.allCases)
    func heartbeat(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        let task = try await f.claimOne(lease: 10)
        f.clock.advance(by: 5)
        #expect(try await f.store.heartbeat(task.id, token: task.fencingToken, leaseSeconds: 10) == .active)
        #expect(try await f.store.get(task.id)?.leaseExpiresAt == f.clock.now().addingTimeInterval(10))
        let before = try await f.store.get(task.id)
        await expectStoreError(.staleLease) { _ = try await f.store.heartbeat(task.id, token: 99, leaseSeconds: 10) }
        #expect(try await f.store.get(task.id) == before)
    }

    @Test("progress is recorded under the lease and refused with a stale token", arguments: StoreKind.allCases)
    func progress(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        let task = try await f.claimOne()
        #expect(try await f.store.progress(task.id, token: task.fencingToken, percent: 40, stage: "sampling") == .active)
        let stored = try #require(try await f.store.get(task.id))
        #expect(stored.progress == 40 && stored.stage == "sampling")
        await #expect(throws: StoreError.self) { _ = try await f.store.progress(task.id, token: 0, percent: 50, stage: nil) }
        await #expect(throws: StoreError.self) { _ = try await f.store.progress(task.id, token: task.fencingToken, percent: 101, stage: nil) }
    }

    @Test("complete finishes the task with its result; a second complete is refused", arguments: StoreKind.allCases)
    func complete(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        let task = try await f.claimOne()
        let result = TaskResult(videoKey: "v/1.mp4", durationSeconds: 15, width: 1280, height: 720, fps: 30, codec: "hevc", sizeBytes: 1234)
        let done = try await f.store.complete(task.id, token: task.fencingToken, result: result)
        #expect(done.status == .succeeded && done.result == result && done.progress == 100)
        #expect(done.finishedAt == f.clock.now() && done.leaseOwner == nil)
        await #expect(throws: StoreError.self) { _ = try await f.store.complete(task.id, token: task.fencingToken, result: result) }
        #expect(try await f.store.get(task.id) == done)
    }

    @Test("A retryable failure backs off 1 s then 2 s (±20 %), then retries once on the fallback, then fails", arguments: StoreKind.allCases)
    func retries(kind: StoreKind) async throws {
        for jitter in [0.0, 1.0] {
            let f = try await StoreFixture(kind, jitter: jitter)
            let id = try await f.create().id
            let error = TaskFailure(code: "ffmpeg_failed", message: "boom")
            var expectedDelays: [Double] = [1 * (0.8 + 0.4 * jitter), 2 * (0.8 + 0.4 * jitter)]
            for attempt in 1...2 {
                let task = try await f.claimOne()
                let failed = try await f.store.fail(id, token: task.fencingToken, error: error, retryable: true)
                let delay = expectedDelays.removeFirst()
                #expect(failed.status == .queued && failed.attempt == attempt && failed.error == error)
                #expect(abs(failed.availableAt.timeIntervalSince(f.clock.now()) - delay) < 0.002)
                #expect(!failed.useFallback)
                // Not claimable before the backoff has passed.
                f.clock.advance(by: delay - 0.01)
                #expect(try await f.store.claim(worker: "w", capacity: 1, leaseSeconds: 30).isEmpty)
                f.clock.advance(by: 0.02)
            }
            let third = try await f.claimOne()
            let onFallback = try await f.store.fail(id, token: third.fencingToken, error: error, retryable: true)
            #expect(onFallback.status == .queued && onFallback.useFallback && onFallback.attempt == 3)
            let last = try await f.claimOne()
            #expect(last.useFallback)
            let failed = try await f.store.fail(id, token: last.fencingToken, error: TaskFailure(code: "oom", message: "last"), retryable: true)
            #expect(failed.status == .failed && failed.attempt == 4 && failed.error?.code == "oom")
        }
    }

    @Test("A non-retryable failure fails the task at once", arguments: StoreKind.allCases)
    func nonRetryable(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        let task = try await f.claimOne()
        let failed = try await f.store.fail(task.id, token: task.fencingToken, error: TaskFailure(code: "bad_input", message: "x"), retryable: false)
        #expect(failed.status == .failed && failed.attempt == 1)
    }

    @Test("release gives the task back with no attempt charged and keeps the checkpoint; the old token is dead", arguments: StoreKind.allCases)
    func release(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        let first = try await f.claimOne()
        let released = try await f.store.release(first.id, token: first.fencingToken, checkpoint: "ckpt/1")
        #expect(released.status == .queued && released.attempt == 0 && released.checkpointRef == "ckpt/1")
        let second = try await f.claimOne(worker: "w2")
        #expect(second.fencingToken == first.fencingToken + 1)
        #expect(second.checkpointRef == "ckpt/1")
        await #expect(throws: StoreError.self) { _ = try await f.store.heartbeat(first.id, token: first.fencingToken, leaseSeconds: 30) }
        await #expect(throws: StoreError.self) {
            _ = try await f.store.complete(first.id, token: first.fencingToken, result: TaskResult(videoKey: "z", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "x", sizeBytes: 1))
        }
    }

    @Test("cancel: queued at once; processing via the worker's next heartbeat; finished ones refused; others' hidden", arguments: StoreKind.allCases)
    func cancel(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let queued = try await f.create()
        f.clock.advance(by: 1)
        let cancelled = try await f.store.cancel(queued.id, userID: "alice")
        #expect(cancelled.status == .cancelled && cancelled.finishedAt == f.clock.now())

        _ = try await f.create()
        let running = try await f.claimOne()
        await expectStoreError(.notFound) { _ = try await f.store.cancel(running.id, userID: "mallory") }
        await #expect(throws: StoreError.self) { _ = try await f.store.confirmCancelled(running.id, token: running.fencingToken) }
        let flagged = try await f.store.cancel(running.id, userID: "alice")
        #expect(flagged.status == .processing && flagged.cancelRequested)
        #expect(try await f.store.heartbeat(running.id, token: running.fencingToken, leaseSeconds: 30) == .cancelRequested)
        #expect(try await f.store.progress(running.id, token: running.fencingToken, percent: 10, stage: nil) == .cancelRequested)
        let stopped = try await f.store.confirmCancelled(running.id, token: running.fencingToken)
        #expect(stopped.status == .cancelled && !stopped.cancelRequested)
        await expectStoreError(.illegalTransition) { _ = try await f.store.cancel(stopped.id, userID: "alice") }
    }

    @Test("reap returns expired leases to the queue with an attempt charged, fails exhausted ones, and fences the zombie", arguments: StoreKind.allCases)
    func reap(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        f.clock.advance(by: 1)
        _ = try await f.create()
        let zombie = try await f.claimOne(worker: "zombie", lease: 10)
        let healthy = try await f.claimOne(worker: "healthy", lease: 60)
        f.clock.advance(by: 11)
        let reaped = try await f.store.reapExpiredLeases(now: f.clock.now())
        #expect(reaped.map(\.id) == [zombie.id])
        #expect(reaped[0].status == .queued && reaped[0].attempt == 1 && reaped[0].error?.code == "lease_expired")
        #expect(try await f.store.get(healthy.id)?.status == .processing)

        let retaken = try await f.claimOne(worker: "w2")
        #expect(retaken.id == zombie.id && retaken.fencingToken == zombie.fencingToken + 1)
        // The zombie wakes up and tries to finish: refused, and the new holder is untouched.
        await expectStoreError(.staleLease) {
            _ = try await f.store.progress(zombie.id, token: zombie.fencingToken, percent: 99, stage: "zombie")
        }
        #expect(try await f.store.get(zombie.id)?.progress == 0)

        // Leases lost again and again use up the attempts: the task fails.
        var token = retaken.fencingToken
        for _ in 0..<3 {
            f.clock.advance(by: 31)
            _ = try await f.store.reapExpiredLeases(now: f.clock.now())
            if let next = try await f.store.claim(worker: "w3", capacity: 2, leaseSeconds: 30).first(where: { $0.id == zombie.id }) {
                token = next.fencingToken
            }
        }
        f.clock.advance(by: 31)
        _ = try await f.store.reapExpiredLeases(now: f.clock.now())
        let final = try #require(try await f.store.get(zombie.id))
        #expect(final.status == .failed && final.attempt == 4, "token \(token)")
    }

    @Test("Queue position counts the queued tasks ahead by lane and age; recent completions come newest first", arguments: StoreKind.allCases)
    func queuePositionAndCompletions(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let oldLow = try await f.create(priority: .p3)
        f.clock.advance(by: 1)
        let normal = try await f.create(priority: .p2)
        f.clock.advance(by: 1)
        let urgent = try await f.create(priority: .p0)
        f.clock.advance(by: 1)
        let normal2 = try await f.create(priority: .p2)
        #expect(try await f.store.queuePosition(of: urgent.id) == 0)
        #expect(try await f.store.queuePosition(of: normal.id) == 1)
        #expect(try await f.store.queuePosition(of: normal2.id) == 2)
        #expect(try await f.store.queuePosition(of: oldLow.id) == 3)
        let claimed = try await f.claimOne()
        #expect(claimed.id == urgent.id)
        #expect(try await f.store.queuePosition(of: urgent.id) == nil)
        #expect(try await f.store.queuePosition(of: normal.id) == 0)
        let result = TaskResult(videoKey: "k", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "h264", sizeBytes: 1)
        _ = try await f.store.complete(claimed.id, token: claimed.fencingToken, result: result)
        f.clock.advance(by: 1)
        let second = try await f.claimOne()
        _ = try await f.store.complete(second.id, token: second.fencingToken, result: result)
        #expect(try await f.store.recentCompletions(limit: 5).map(\.id) == [second.id, claimed.id])
        // Failed tasks are listed apart, newest first, with their errors.
        #expect(try await f.store.recentlyFinished(.failed, limit: 5).isEmpty)
        f.clock.advance(by: 1)
        let third = try await f.claimOne()
        _ = try await f.store.fail(third.id, token: third.fencingToken, error: TaskFailure(code: "bad_input", message: "no"), retryable: false)
        let failures = try await f.store.recentlyFinished(.failed, limit: 5)
        #expect(failures.map(\.id) == [third.id] && failures.first?.error?.code == "bad_input")
        #expect(try await f.store.recentCompletions(limit: 5).map(\.id) == [second.id, claimed.id])
    }

    @Test("createCountingAhead answers the position queuePosition reads after the commit: with a key (also replayed), with a cap only, and with neither", arguments: StoreKind.allCases)
    func createCountingAhead(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        var made: [TaskRecord] = []
        for (index, priority) in [TaskPriority.p3, .p2, .p0, .p2, .p3, .p1].enumerated() {
            f.clock.advance(by: 1)
            let created = try await f.store.createCountingAhead(NewTask(
                userID: index.isMultiple(of: 2) ? "alice" : "bob", request: StoreFixture.spec, priority: priority, idempotencyKey: "k\(index)"
            ))
            #expect(created.created)
            #expect(created.position != nil)
            #expect(created.position == (try await f.store.queuePosition(of: created.task.id)), "task \(index) at \(priority)")
            made.append(created.task)
        }
        // 2 (p3) arrived behind p0, p1, two p2 and the first p3: five ahead of it now.
        #expect(try await f.store.queuePosition(of: made[4].id) == 5)
        let replay = try await f.store.createCountingAhead(NewTask(userID: "alice", request: StoreFixture.spec, priority: .p3, idempotencyKey: "k4"))
        #expect(!replay.created && replay.task.id == made[4].id && replay.position == 5)
        let claimed = try await f.claimOne()
        #expect(claimed.id == made[2].id)
        let claimedReplay = try await f.store.createCountingAhead(NewTask(userID: "alice", request: StoreFixture.spec, idempotencyKey: "k2"))
        #expect(!claimedReplay.created && claimedReplay.task.id == claimed.id && claimedReplay.position == nil)
        // No key and no cap (PostgreSQL: the insert and the count in one statement), then a cap
        // only: behind the older p1 (1), then behind both p1s and the two queued p2s (4).
        for (expected, new) in [(1, NewTask(userID: "carol", request: StoreFixture.spec, priority: .p1)), (4, NewTask(userID: "carol", request: StoreFixture.spec, maxQueued: 100))] {
            f.clock.advance(by: 1)
            let created = try await f.store.createCountingAhead(new)
            #expect(created.created && created.position == expected, "\(String(describing: created.position))")
            #expect(created.position == (try await f.store.queuePosition(of: created.task.id)))
        }
    }

    @Test("Retention: unexpiredResults lists succeeded tasks finished before the cutoff, oldest first; markResultExpired stamps the result, drops it from the list and sends no second callback; marking twice is a no-op; a queued task's result cannot expire", arguments: StoreKind.allCases)
    func resultExpiry(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let result = TaskResult(videoKey: "videos/a/video.mp4", thumbnailKey: "videos/a/thumbnail.webp", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "hevc", sizeBytes: 1)
        _ = try await f.create(callback: "https://hooks.example/a")
        let first = try await f.claimOne()
        _ = try await f.store.complete(first.id, token: first.fencingToken, result: result)
        f.clock.advance(by: 10)
        _ = try await f.create()
        let second = try await f.claimOne()
        _ = try await f.store.complete(second.id, token: second.fencingToken, result: result)
        let queued = try await f.create(user: "bob")
        let finished = try #require(try await f.store.get(second.id)?.finishedAt)
        #expect(try await f.store.unexpiredResults(finishedBefore: finished, limit: 10).map(\.id) == [first.id])
        #expect(try await f.store.unexpiredResults(finishedBefore: finished.addingTimeInterval(1), limit: 10).map(\.id) == [first.id, second.id])
        let at = Date(timeIntervalSince1970: 1_900_000_000)
        try await f.store.markResultExpired(first.id, at: at)
        try await f.store.markResultExpired(first.id, at: at.addingTimeInterval(60))
        let expired = try #require(try await f.store.get(first.id))
        #expect(expired.status == .succeeded && expired.result?.expiredAt == at && expired.result?.videoKey == result.videoKey)
        #expect(try await f.store.unexpiredResults(finishedBefore: finished.addingTimeInterval(1), limit: 10).map(\.id) == [second.id])
        #expect(try await f.store.callbacks(of: first.id).count == 1)
        await #expect(throws: StoreError.self) { try await f.store.markResultExpired(queued.id, at: at) }
    }

    @Test("hasClaimable sees a queued task of the lane, not one of another lane, not one in backoff, not a claimed one", arguments: StoreKind.allCases)
    func claimableByPriority(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        #expect(try await f.store.hasClaimable(priority: .p0) == false)
        _ = try await f.create(user: "alice", priority: .p1)
        #expect(try await f.store.hasClaimable(priority: .p0) == false)
        #expect(try await f.store.hasClaimable(priority: .p1) == true)
        let claimed = try await f.claimOne()
        #expect(try await f.store.hasClaimable(priority: .p1) == false)
        _ = try await f.store.fail(claimed.id, token: claimed.fencingToken, error: TaskFailure(code: "x", message: "y"), retryable: true)
        #expect(try await f.store.hasClaimable(priority: .p1) == false, "in backoff")
        f.clock.advance(by: 10)
        #expect(try await f.store.hasClaimable(priority: .p1) == true)
    }

    @Test("A filtered claim takes only the batch key and lanes asked for, most urgent first, and leaves the rest queued", arguments: StoreKind.allCases)
    func filteredClaim(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        var other = StoreFixture.spec
        other.steps += 5
        let a3 = try await f.create(priority: .p3)
        let a0 = try await f.create(priority: .p0)
        let b0 = try await f.store.create(NewTask(userID: "alice", request: other, priority: .p0)).task
        #expect(a3.batchKey == a0.batchKey && a0.batchKey != b0.batchKey)

        let none = try await f.store.claim(worker: "w", capacity: 8, leaseSeconds: 30, filter: ClaimFilter(batchKey: "no such key"))
        #expect(none.isEmpty)
        let urgent = try await f.store.claim(worker: "w", capacity: 8, leaseSeconds: 30, filter: ClaimFilter(batchKey: a3.batchKey, priorities: [.p0]))
        #expect(urgent.map(\.id) == [a0.id])
        #expect(urgent.first?.status == .processing && urgent.first?.leaseOwner == "w")
        let sameKey = try await f.store.claim(worker: "w", capacity: 8, leaseSeconds: 30, filter: ClaimFilter(batchKey: a3.batchKey))
        #expect(sameKey.map(\.id) == [a3.id])
        #expect(try await f.store.get(b0.id)?.status == .queued)
        let anyP0 = try await f.store.claim(worker: "w", capacity: 8, leaseSeconds: 30, filter: ClaimFilter(priorities: [.p0]))
        #expect(anyP0.map(\.id) == [b0.id])
    }

    @Test("The submitter's tier is kept with the task (preemption can spare tiers); none given reads back as none", arguments: StoreKind.allCases)
    func tierKept(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let paid = try await f.store.create(NewTask(userID: "alice", request: StoreFixture.spec, tier: .paid)).task
        let plain = try await f.create()
        #expect(paid.tier == .paid && plain.tier == nil)
        #expect(try await f.store.get(paid.id)?.tier == .paid)
        #expect(try await f.store.get(plain.id)?.tier == nil)
        let claimed = try await f.store.claim(worker: "w", capacity: 2, leaseSeconds: 30)
        #expect(Set(claimed.map(\.tier)) == [.paid, nil])
    }

    @Test("Queued counts per user and in all agree with the tasks after every kind of change", arguments: StoreKind.allCases)
    func queuedCounts(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        func check(_ alice: Int, _ bob: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws {
            // The oracle: the queued tasks as list shows them.
            let listed = try await f.store.list(userID: "alice", status: .queued, limit: 1000, after: nil).tasks.count
            #expect(listed == alice, sourceLocation: sourceLocation)
            #expect(try await f.store.queuedCount(userID: "alice") == alice, sourceLocation: sourceLocation)
            #expect(try await f.store.queuedCount(userID: "bob") == bob, sourceLocation: sourceLocation)
            #expect(try await f.store.queuedCount(userID: nil) == alice + bob, sourceLocation: sourceLocation)
        }
        try await check(0, 0)
        let a1 = try await f.create(user: "alice", priority: .p1)
        _ = try await f.create(user: "alice", priority: .p3)
        let b1 = try await f.create(user: "bob", priority: .p2)
        try await check(2, 1)
        _ = try await f.store.cancel(b1.id, userID: "bob")
        try await check(2, 0)
        let claimed = try await f.claimOne()
        #expect(claimed.id == a1.id)
        try await check(1, 0)
        _ = try await f.store.fail(claimed.id, token: claimed.fencingToken, error: TaskFailure(code: "x", message: "y"), retryable: true)
        try await check(2, 0)
        f.clock.advance(by: 10)
        let again = try await f.claimOne()
        _ = try await f.store.release(again.id, token: again.fencingToken, checkpoint: nil)
        try await check(2, 0)
        let leased = try await f.claimOne(lease: 5)
        f.clock.advance(by: 6)
        _ = try await f.store.reapExpiredLeases(now: f.clock.now())
        let reaped = try #require(try await f.store.get(leased.id))
        try await check(reaped.status == .queued ? 2 : 1, 0)
        let last = try await f.claimOne()
        _ = try await f.store.complete(last.id, token: last.fencingToken, result: TaskResult(
            videoKey: "v", durationSeconds: 1, width: 1, height: 1, fps: 24, codec: "hevc", sizeBytes: 1
        ))
        try await check(reaped.status == .queued ? 1 : 0, 0)
        await expectStoreError(.invalidArgument) { try await f.store.create(NewTask(userID: "", request: StoreFixture.spec)) }
    }

    @Test("A cancel while the task opens, encodes or uploads (no step boundary left) ends it cancelled when the worker completes it; its callback says task.cancelled", arguments: StoreKind.allCases)
    func cancelBeforeCompletion(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let task = try await f.create(callback: "https://hooks.example/done")
        let claimed = try await f.claimOne()
        let asked = try await f.store.cancel(task.id, userID: "alice")
        #expect(asked.status == .processing && asked.cancelRequested)
        let ended = try await f.store.complete(task.id, token: claimed.fencingToken, result: TaskResult(
            videoKey: "v", durationSeconds: 1, width: 1, height: 1, fps: 24, codec: "hevc", sizeBytes: 1
        ))
        #expect(ended.status == .cancelled && ended.result == nil)
        #expect(try await f.store.get(task.id)?.status == .cancelled)
        #expect(try await f.store.callbacks(of: task.id).map(\.event) == ["task.cancelled"])
        // A failed attempt of a task whose cancel is pending is not retried either.
        let other = try await f.create()
        let second = try await f.claimOne()
        _ = try await f.store.cancel(other.id, userID: "alice")
        let failed = try await f.store.fail(other.id, token: second.fencingToken, error: TaskFailure(code: "x", message: "x"), retryable: true)
        #expect(failed.status == .cancelled)
    }

    @Test("Another process's committed changes reach events() while run() follows them, with the event's fields", arguments: StoreKind.allCases)
    func eventsFromAnotherProcess(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let other = try f.reopen()
        if let sqlite = other as? SQLiteTaskStore {
            let following = Task { try? await sqlite.run() }
            defer { following.cancel() }
            try await expectEvents(from: f, on: other)
        } else {
            try await expectEvents(from: f, on: other)
        }
    }

    /// Changes made through `f.store` arrive as events of `other` (another process's store).
    private func expectEvents(from f: StoreFixture, on other: any TaskStore) async throws {
        let events = other.events()
        try await Task.sleep(for: .milliseconds(300))  // the follower has read the current sequence
        let task = try await f.create(user: "carol")
        let claimed = try await f.claimOne()
        _ = try await f.store.progress(task.id, token: claimed.fencingToken, percent: 40, stage: "sampling")
        _ = try await f.store.cancel(task.id, userID: "carol")
        let collector = Task {
            var seen: [TaskEvent] = []
            for await event in events {
                seen.append(event)
                if event.cancelRequested { break }
            }
            return seen
        }
        let deadline = Task {
            try await Task.sleep(for: .seconds(10))
            collector.cancel()
        }
        let seen = await collector.value
        deadline.cancel()
        #expect(seen.allSatisfy { $0.taskID == task.id && $0.userID == "carol" })
        #expect(seen.first?.status == .queued || seen.first?.status == .processing)
        let last = try #require(seen.last)
        #expect(last.status == .processing && last.progress == 40 && last.stage == "sampling" && last.cancelRequested)
    }

    @Test("Committed changes are published as events, in order", arguments: StoreKind.allCases)
    func events(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let events = f.store.events()
        let task = try await f.create()
        let claimed = try await f.claimOne()
        _ = try await f.store.progress(task.id, token: claimed.fencingToken, percent: 50, stage: "sampling")
        _ = try await f.store.complete(task.id, token: claimed.fencingToken, result: TaskResult(videoKey: "k", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "h264", sizeBytes: 1))
        var seen: [(TaskStatus, Int)] = []
        for await event in events {
            #expect(event.taskID == task.id)
            seen.append((event.status, event.progress))
            if seen.count == 4 { break }
        }
        #expect(seen.map(\.0) == [.queued, .processing, .processing, .succeeded])
        #expect(seen.map(\.1) == [0, 0, 50, 100])
    }
}

@Suite("SQLite schema")
struct SQLiteSchemaTests {
    /// The tasks table's columns (rows are decoded by name; the order shows the migrations appended).
    static let columns = [
        "id", "user_id", "status", "priority", "request", "model", "batch_key", "attempt", "fencing_token",
        "lease_owner", "lease_expires_at", "progress", "stage", "result", "error", "idempotency_key",
        "cancel_requested", "use_fallback", "checkpoint_ref", "trace_context", "callback_url", "created_at",
        "updated_at", "started_at", "finished_at", "available_at", "tier", "change_seq", "result_expired_at",
    ]

    @Test("The tasks table holds its columns, with the claim, batch, lease, user, change, idempotency and retention indexes")
    func schema() async throws {
        let f = try await StoreFixture(.sqlite)
        let db = try DatabaseQueue(path: f.directory.appendingPathComponent("tasks.sqlite").path)
        let (columns, indexes) = try await db.read { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('tasks') ORDER BY cid"),
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND sql IS NOT NULL ORDER BY name")
            )
        }
        #expect(columns == Self.columns)
        #expect(indexes == ["tasks_batch", "tasks_change", "tasks_claim", "tasks_finished", "tasks_idempotency", "tasks_lease", "tasks_unexpired", "tasks_user", "tasks_user_status"])
        let migrations = try await db.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(migrations == [
            "2026-11-26 create tasks and queue state", "2026-11-27 index finished tasks", "2026-11-27 create callback deliveries",
            "2026-11-27 count queued tasks", "2026-11-27 index batch keys", "2026-11-27 record tiers",
            "2026-11-29 number task changes", "2026-11-30 expire results", "2026-12-01 number inserts in the statement",
        ])
    }

    @Test("Each insert takes the next change number, also many in one group transaction and a row inserted without one")
    func insertsNumberTheirChanges() async throws {
        let f = try await StoreFixture(.sqlite)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask { _ = try await f.create(user: "u\(index % 4)") }
            }
            try await group.waitForAll()
        }
        let db = try DatabaseQueue(path: f.directory.appendingPathComponent("tasks.sqlite").path)
        let (numbers, sequence) = try await db.read { db in
            (try Int64.fetchAll(db, sql: "SELECT change_seq FROM tasks ORDER BY change_seq"),
             try Int64.fetchOne(db, sql: "SELECT seq FROM change_sequence") ?? -1)
        }
        #expect(numbers == Array(1...40))
        #expect(sequence == 40)
        // A row written by other SQL (no number given) is numbered by the trigger.
        let copied = try await db.write { db in
            try db.execute(sql: """
                INSERT INTO tasks (id, user_id, status, priority, request, model, batch_key, created_at, updated_at, available_at)
                SELECT 'T' || substr(id, 2), user_id, status, priority, request, model, batch_key, created_at, updated_at, available_at
                FROM tasks WHERE change_seq = 1
                """)
            return try Int64.fetchOne(db, sql: "SELECT change_seq FROM tasks WHERE id LIKE 'T%'")
        }
        #expect(copied == 41)
    }
}
