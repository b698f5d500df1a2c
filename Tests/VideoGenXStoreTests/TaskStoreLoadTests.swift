import Foundation
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXStore

/// Concurrency and ordering of the queue, bounded in count and time.
@Suite("TaskStore under load", .timeLimit(.minutes(3)))
struct TaskStoreLoadTests {
    @Test("8 concurrent claimers on 2,000 tasks: each completes exactly once, never under two live leases", arguments: StoreKind.allCases)
    func concurrentClaimers(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        var ids = Set<TaskID>()
        for i in 0..<2000 {
            ids.insert(try await f.create(priority: TaskPriority(rawValue: i % 4) ?? .p2).id)
        }
        let ledger = LeaseLedger()
        let store = f.store
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var idleRounds = 0
                    while idleRounds < 3 {
                        let batch = try await store.claim(worker: "w\(worker)", capacity: 4, leaseSeconds: 60)
                        if batch.isEmpty {
                            idleRounds += 1
                            continue
                        }
                        idleRounds = 0
                        for task in batch {
                            ledger.acquire(task.id, token: task.fencingToken)
                            _ = try await store.progress(task.id, token: task.fencingToken, percent: 50, stage: "sampling")
                            ledger.drop(task.id)
                            _ = try await store.complete(
                                task.id, token: task.fencingToken,
                                result: TaskResult(videoKey: "v/\(task.id)", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "hevc", sizeBytes: 1)
                            )
                            ledger.completed(task.id)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(ledger.violations.withLock { $0 }.isEmpty)
        let done = ledger.completions.withLock { $0 }
        #expect(Set(done.keys) == ids, "every task completed")
        #expect(done.values.allSatisfy { $0 == 1 }, "no task completed twice")
        var succeeded = 0
        var cursor: TaskID?
        repeat {
            let page = try await f.store.list(userID: "alice", status: .succeeded, limit: 1000, after: cursor)
            succeeded += page.tasks.count
            cursor = page.nextCursor
        } while cursor != nil
        #expect(succeeded == 2000)
        #expect(try await f.store.claim(worker: "late", capacity: 8, leaseSeconds: 60).isEmpty)
    }

    @Test("With every lane backlogged, 1,000 claims split 4:3:2:1 within ±5 %, each round led by P0", arguments: StoreKind.allCases)
    func lanesSplit(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        for priority in TaskPriority.all {
            for _ in 0..<450 {
                try await f.create(priority: priority)
            }
        }
        var counts = [0, 0, 0, 0]
        var order: [Int] = []
        for _ in 0..<1000 {
            let task = try await f.claimOne()
            counts[task.priority.rawValue] += 1
            order.append(task.priority.rawValue)
        }
        for (lane, expected) in [400.0, 300, 200, 100].enumerated() {
            #expect(abs(Double(counts[lane]) - expected) <= expected * 0.05, "lane P\(lane): \(counts[lane]) of 1000, expected \(expected)")
        }
        #expect(order.first == 0)
        // Claims with capacity 8 follow the same rotation.
        let batch = try await f.store.claim(worker: "w", capacity: 8, leaseSeconds: 30)
        #expect(batch.count == 8)
    }

    @Test("A P3 task under a continuous P0 flood is claimed within its aging bound", arguments: StoreKind.allCases)
    func agingBound(kind: StoreKind) async throws {
        // P3 gets no weight of its own here, so only aging can lift it: one lane per 600 s,
        // so it must be claimed once it competes as P2 (after 600 s), and not before.
        let f = try await StoreFixture(kind, policy: QueuePolicy(laneWeights: [4, 3, 2, 0], agingSeconds: 600))
        let slow = try await f.create(priority: .p3)
        var claimedAfter: Double?
        var waited = 0.0
        while waited <= 1800 {
            try await f.create(priority: .p0)
            try await f.create(priority: .p0)
            let task = try await f.claimOne()
            if task.id == slow.id {
                claimedAfter = waited
                break
            }
            f.clock.advance(by: 30)
            waited += 30
        }
        let after = try #require(claimedAfter, "the P3 task starved under the P0 flood")
        #expect(after >= 600 && after <= 630, "claimed after \(after) s of waiting")
    }
}

/// What the concurrent claimers saw: live leases, double-lease violations, completions.
private final class LeaseLedger: Sendable {
    /// Tasks held right now, by the token that holds them.
    let held = Mutex<[TaskID: Int64]>([:])
    let violations = Mutex<[String]>([])
    let completions = Mutex<[TaskID: Int]>([:])

    func acquire(_ id: TaskID, token: Int64) {
        held.withLock { held in
            if let other = held[id] {
                violations.withLock { $0.append("\(id) claimed with \(token) while \(other) is live") }
            }
            held[id] = token
        }
    }

    func drop(_ id: TaskID) {
        held.withLock { _ = $0.removeValue(forKey: id) }
    }

    func completed(_ id: TaskID) {
        completions.withLock { $0[id, default: 0] += 1 }
    }
}
