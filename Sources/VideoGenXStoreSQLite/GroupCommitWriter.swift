import GRDB
import Synchronization
import VideoGenXStore

/// Group commit for SQLite: writes that arrive while a write transaction is running are queued
/// and then run together in the next transaction (at most ``maximumBatch``), each in a savepoint
/// of its own, so one write's error rolls back only that write. Every caller is answered only
/// after the transaction holding its write has committed: durability is the store's
/// (`synchronous = FULL` by default), but many writes share one fsync. There is no wait for
/// company: a lone write commits at once, and batches form by themselves under load.
final class GroupCommitWriter: Sendable {
    /// One queued write: runs in the batch's transaction, and is answered after the commit.
    private struct Item: Sendable {
        /// Runs the write in its savepoint; returns what answers the caller after the commit.
        let run: @Sendable (Database) -> @Sendable () -> Void
        /// Answers the caller when the whole transaction failed.
        let fail: @Sendable (any Error) -> Void
    }

    private struct State {
        var queue: [Item] = []
        var draining = false
    }

    /// Most writes in one transaction.
    static let maximumBatch = 256

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// Transactions committed and the writes they held, for tests and benchmarks.
    private let counts = Mutex((transactions: 0, writes: 0))

    /// A writer on `pool`.
    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `work` in a savepoint of the next group transaction and returns its result once that
    /// transaction has committed.
    /// - Throws: what `work` threw (its savepoint rolled back, the others kept), or the
    ///   transaction's error (nothing of the batch was kept).
    func write<Value: Sendable>(_ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            let item = Item(
                run: { db in
                    let outcome: Result<Value, any Error>
                    do {
                        var value: Value?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        guard let value else { throw StoreError(.storage, "a grouped write ended without a result") }
                        outcome = .success(value)
                    } catch {
                        outcome = .failure(error)
                    }
                    return { continuation.resume(with: outcome) }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            let leads = state.withLock { state in
                state.queue.append(item)
                if state.draining { return false }
                state.draining = true
                return true
            }
            if leads {
                Task { await self.drain() }
            }
        }
    }

    /// Transactions committed so far and the writes they held.
    var committed: (transactions: Int, writes: Int) { counts.withLock { $0 } }

    /// Commits queued writes, a batch per transaction, until the queue is empty.
    private func drain() async {
        while true {
            let batch: [Item] = state.withLock { state in
                guard !state.queue.isEmpty else {
                    state.draining = false
                    return []
                }
                let batch = Array(state.queue.prefix(Self.maximumBatch))
                state.queue.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                let answers = try await pool.write { db in batch.map { $0.run(db) } }
                counts.withLock { $0 = ($0.transactions + 1, $0.writes + batch.count) }
                for answer in answers {
                    answer()
                }
            } catch {
                for item in batch {
                    item.fail(error)
                }
            }
        }
    }
}
