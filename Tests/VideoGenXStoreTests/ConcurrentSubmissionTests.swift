import Foundation
import GRDB
import Testing
import VideoGenXCore
import VideoGenXStore
@testable import VideoGenXStoreSQLite

/// Submissions under concurrency (issue 17): idempotency keys and per-user pending caps stay
/// exact with 64 submitters at once, on both drivers; SQLite group-commits them.
@Suite("Concurrent submissions")
struct ConcurrentSubmissionTests {
    /// `count` creates at once, the `n`th of `task(n)`; each result or error in order of completion.
    static func submitTogether(
        _ store: any TaskStore, count: Int, _ task: @escaping @Sendable (Int) -> NewTask
    ) async -> [Result<(task: TaskRecord, created: Bool), StoreError>] {
        await withTaskGroup(of: Result<(task: TaskRecord, created: Bool), StoreError>.self) { group in
            for n in 0..<count {
                group.addTask {
                    do {
                        return .success(try await store.create(task(n)))
                    } catch let error as StoreError {
                        return .failure(error)
                    } catch {
                        return .failure(StoreError(.storage, "\(error)"))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test("64 concurrent submitters of one idempotency key: one task is created and all 64 answers name it", arguments: StoreKind.allCases)
    func oneKey(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let results = await Self.submitTogether(f.store, count: 64) { _ in
            NewTask(userID: "alice", request: StoreFixture.spec, idempotencyKey: "same", maxPending: 100)
        }
        let outcomes = try results.map { try $0.get() }
        #expect(outcomes.filter(\.created).count == 1)
        #expect(Set(outcomes.map(\.task.id)).count == 1)
        #expect(try await f.store.list(userID: "alice", status: nil, limit: 100, after: nil).tasks.count == 1)
    }

    @Test("64 concurrent submissions of one user against a cap of 10: exactly 10 are queued, 54 refused as limit_exceeded; a replay of an accepted key still answers its task", arguments: StoreKind.allCases)
    func pendingCap(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        let results = await Self.submitTogether(f.store, count: 64) { n in
            NewTask(userID: "bob", request: StoreFixture.spec, idempotencyKey: "k\(n)", maxPending: 10)
        }
        let accepted = results.compactMap { try? $0.get() }
        #expect(accepted.count == 10 && accepted.allSatisfy(\.created))
        let refusals = results.compactMap { result -> StoreError? in if case .failure(let error) = result { error } else { nil } }
        #expect(refusals.count == 54 && refusals.allSatisfy { $0.code == .limitExceeded }, "\(refusals.prefix(3))")
        #expect(try await f.store.queuedCount(userID: "bob") == 10)
        let key = try #require(accepted.first?.task.idempotencyKey)
        let replay = try await f.store.create(NewTask(userID: "bob", request: StoreFixture.spec, idempotencyKey: key, maxPending: 10))
        #expect(!replay.created && replay.task.id == accepted.first?.task.id)
        // Without a cap (an admin) the user is not limited.
        #expect(try await f.store.create(NewTask(userID: "bob", request: StoreFixture.spec)).created)
    }

    @Test("64 concurrent submissions of 64 users against a queue cap of 12 (with 2 already queued): on SQLite exactly 10 get in; on PostgreSQL (no global lock) at most the pool's 4 connections over; the rest are refused as queue_full", arguments: StoreKind.allCases)
    func queueCap(kind: StoreKind) async throws {
        let f = try await StoreFixture(kind)
        _ = try await f.create()
        _ = try await f.create()
        let results = await Self.submitTogether(f.store, count: 64) { n in
            NewTask(userID: "user\(n)", request: StoreFixture.spec, maxQueued: 12)
        }.map { result -> StoreError.Code? in
            if case .failure(let error) = result { error.code } else { nil }
        }
        let accepted = results.filter { $0 == nil }.count
        // SQLite has one writer, so the count in the insert's transaction is exact. PostgreSQL
        // takes no queue-wide lock (it would serialise every submission of every api node):
        // transactions running at once may each see room.
        let overshoot = kind == .sqlite ? 0 : 3
        #expect((10...10 + overshoot).contains(accepted), "\(accepted) accepted")
        #expect(results.filter { $0 == .queueFull }.count == 64 - accepted)
        #expect(try await f.store.queuedCount(userID: nil) == 2 + accepted)
    }

    @Test("SQLite group commit: 64 concurrent submissions share transactions, each durable when answered; one refused write leaves the others of its transaction in")
    func groupCommit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tasks.sqlite").path
        let store = try SQLiteTaskStore(path: path)
        // Each user may have one queued task: the second submission of each user fails in the
        // same transaction as other users' successes.
        let results = await Self.submitTogether(store, count: 64) { n in
            NewTask(userID: "u\(n % 32)", request: StoreFixture.spec, maxPending: 1)
        }
        #expect(results.filter { (try? $0.get()) != nil }.count == 32)
        let committed = store.creates.committed
        #expect(committed.writes == 64)
        #expect(committed.transactions < 64, "\(committed)")
        // A second process opening the file sees every accepted task.
        let reopened = try SQLiteTaskStore(path: path)
        #expect(try await reopened.queuedCount(userID: nil) == 32)
    }
}
