import GRDB
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// Group commit for SQLite: writes that arrive while a write transaction is running are queued
/// and then run together in the next transaction (at most 256, the coalescer's batch), each in a
/// savepoint of its own, so one write's error rolls back only that write (a write that cannot
/// leave anything behind may go without, ``write(savepoint:_:)``). Every caller is answered
/// only after the transaction holding its write has committed: durability is the store's
/// (`synchronous = FULL` by default), but many writes share one fsync. There is no wait for
/// company: a lone write commits at once, and batches form by themselves under load
/// (``BatchCoalescer``, one transaction in flight).
final class GroupCommitWriter: Sendable {
    /// One queued write: runs in the batch's transaction and keeps its own outcome.
    private typealias Write = @Sendable (Database) -> Void

    /// A value behind a lock that escaping closures can share (a `Mutex` cannot be captured).
    private final class Shared<Value: Sendable>: Sendable {
        let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
    }

    private let writes: BatchCoalescer<Write, Void>
    /// Transactions committed and the writes they held, for tests and benchmarks.
    private let counts: Shared<(transactions: Int, writes: Int)>

    /// A writer on `pool`.
    init(pool: DatabasePool) {
        let counts = Shared((transactions: 0, writes: 0))
        self.counts = counts
        writes = BatchCoalescer { batch in
            try await pool.write { db in
                for write in batch { write(db) }
            }
            counts.value.withLock { $0 = ($0.transactions + 1, $0.writes + batch.count) }
            return Array(repeating: (), count: batch.count)
        }
    }

    /// Runs `work` in a savepoint of the next group transaction and returns its result once that
    /// transaction has committed.
    ///
    /// `savepoint: false` runs it without one, for a write whose error can leave nothing behind:
    /// it throws before it changes anything, or its only change is one statement (SQLite undoes a
    /// failed statement, its triggers' changes included). GRDB prepares its `SAVEPOINT` and
    /// `RELEASE` anew on every use: ~2 % of a submission's CPU for a one-row insert.
    /// - Throws: what `work` threw (its savepoint rolled back, the others kept), or the
    ///   transaction's error (nothing of the batch was kept).
    func write<Value: Sendable>(savepoint: Bool = true, _ work: @escaping @Sendable (Database) throws -> Value) async throws -> Value {
        let outcome = Shared<Result<Value, any Error>?>(nil)
        try await writes.submit { db in
            let result: Result<Value, any Error>
            do {
                if savepoint {
                    var value: Value?
                    try db.inSavepoint {
                        value = try work(db)
                        return .commit
                    }
                    guard let value else { throw StoreError(.storage, "a grouped write ended without a result") }
                    result = .success(value)
                } else {
                    result = .success(try work(db))
                }
            } catch {
                result = .failure(error)
            }
            outcome.value.withLock { $0 = result }
        }
        // Committed: the write's own outcome (its savepoint's).
        guard let result = outcome.value.withLock({ $0 }) else { throw StoreError(.storage, "a grouped write did not run") }
        return try result.get()
    }

    /// Transactions committed so far and the writes they held.
    var committed: (transactions: Int, writes: Int) { counts.value.withLock { $0 } }
}
