import Foundation
import GRDB
import VideoGenXCore
import VideoGenXStore

/// The embedded ``TaskStore``: one SQLite file in WAL mode through a GRDB `DatabasePool`
/// (concurrent readers, one writer). Every operation is one write transaction, so each state
/// change is atomic, and claims are serialised by SQLite's single writer. Submissions arriving
/// together are group-committed: one transaction (and one fsync) for many, each answered after
/// its commit.
///
/// Several processes may open the same file (they wait up to `busyTimeout` for the write lock);
/// while ``run()`` runs, ``events()`` also carries the other processes' changes, polled from a
/// change sequence every ``pollInterval``.
public final class SQLiteTaskStore: TaskStore {
    /// How hard a commit waits for the disk.
    public enum Durability: Sendable, Hashable {
        /// `synchronous = FULL`: a commit survives a power loss. The default.
        case full
        /// `synchronous = NORMAL`: a commit survives a crash of any process, but the last
        /// commits may be lost on a power loss. Several times faster on slow disks.
        case normal
    }

    let pool: DatabasePool
    /// Submissions are group-committed through this writer (``create(_:)``).
    let creates: GroupCommitWriter
    let clock: any WallClock
    let policy: QueuePolicy
    let broadcaster = TaskEventBroadcaster()
    /// Decoded requests of recently seen tasks (immutable after create).
    let requests = RequestCache()
    /// Source of jitter in 0…1 for retry backoff.
    let jitterUnit: @Sendable () -> Double
    /// How often ``run()`` looks for other processes' changes. 250 ms.
    let pollInterval: Duration = .milliseconds(250)

    /// Opens (creating if needed) the store at `path` and migrates it to the latest schema.
    ///
    /// - Parameters:
    ///   - path: the SQLite file; its directory must exist.
    ///   - clock: time source. Default the system clock.
    ///   - policy: retries, lane weights, aging. Default ``QueuePolicy/init(retry:laneWeights:agingSeconds:)``.
    ///   - durability: default ``Durability/full``.
    ///   - busyTimeout: how long a write waits for another process's lock. Default 10 s.
    ///   - jitterUnit: jitter source for backoff. Default uniform random.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(
        path: String, clock: any WallClock = SystemWallClock(), policy: QueuePolicy = QueuePolicy(),
        durability: Durability = .full, busyTimeout: Double = 10,
        jitterUnit: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            try db.execute(sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            // Statement journals in memory: a group transaction's statements each journal the
            // pages they touch, and past 64 KiB SQLite spills them to a temporary file — two
            // `pwrite`s per page, ~20 per submission under load.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        creates = GroupCommitWriter(pool: pool)
        self.clock = clock
        self.policy = policy
        self.jitterUnit = jitterUnit
        try Self.migrator.migrate(pool)
    }

    /// Committed changes, from now on: this process's at once, other processes' within
    /// ``pollInterval`` while ``run()`` runs.
    public func events() -> AsyncStream<TaskEvent> {
        broadcaster.subscribe()
    }

    public func create(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool) {
        let made = try await insert(task, countingAhead: false)
        return (made.task, made.created)
    }

    /// Counts the tasks ahead in the insert's own transaction: one aggregate over the queue
    /// counters, no second read after the commit.
    public func createCountingAhead(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        try await insert(task, countingAhead: true)
    }

    /// Inserts `task` in the next group transaction (or finds its idempotent twin), with its
    /// queue position when `countingAhead`.
    private func insert(_ task: NewTask, countingAhead: Bool) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        guard !task.userID.isEmpty else { throw StoreError(.invalidArgument, "a task needs a user id") }
        let now = clock.now()
        let requests = self.requests
        // The row is made before the transaction: the writer runs one group's transaction at a
        // time for every submitter, so what can be done beside it is not done in it.
        let record = TaskRecord(queued: task, at: now)
        let arguments = try record.insertArguments()
        // Concurrent submissions share a transaction (group commit); each is answered after it.
        // No savepoint: the checks throw before anything is written, and the one change is the
        // INSERT statement.
        let outcome: (TaskRecord, Bool, Int?) = try await creates.write(savepoint: false) { db in
            if let key = task.idempotencyKey,
               let row = try Row.fetchOne(
                   db.cachedStatement(sql: "SELECT * FROM tasks WHERE user_id = ? AND idempotency_key = ?"), arguments: [task.userID, key]
               )
            {
                let existing = try TaskRecord(row: row, requests: requests)
                return (existing, false, countingAhead ? try Self.queuePosition(of: existing.id, db) : nil)
            }
            if let cap = task.maxPending {
                let queued = try Self.queuedCount(userID: task.userID, db)
                guard queued < cap else { throw StoreError.pendingCap(queued: queued, cap: cap) }
            }
            if let cap = task.maxQueued {
                let queued = try Self.queuedCount(userID: nil, db)
                guard queued < cap else { throw StoreError.queueFull(queued: queued, cap: cap) }
            }
            // Before the insert, every queued task of its lane or a more urgent one is ahead of it
            // (it is the newest of its lane): what ``queuePosition(of:)`` reads after the commit.
            let ahead = countingAhead
                ? try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COALESCE(SUM(queued), 0) FROM queue_counts WHERE user_id = '' AND priority <= ?"),
                    arguments: [task.priority.rawValue]
                ) ?? 0
                : nil
            try db.cachedStatement(sql: TaskRecord.insertSQL).execute(arguments: arguments)
            requests.remember(record.request, for: record.id.rawValue)
            return (record, true, ahead)
        }
        if outcome.1 {
            broadcaster.publish([TaskEvent(outcome.0)])
        }
        return (task: outcome.0, created: outcome.1, position: outcome.2)
    }

    public func get(_ id: TaskID) async throws -> TaskRecord? {
        let requests = self.requests
        return try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tasks WHERE id = ?"), arguments: [id.rawValue])
                .map { try TaskRecord(row: $0, requests: requests) }
        }
    }

    public func list(userID: String, status: TaskStatus?, limit: Int, after cursor: TaskID?) async throws -> TaskPage {
        try StoreArguments.checkLimit(limit)
        var sql = "SELECT * FROM tasks WHERE user_id = ?"
        var arguments: StatementArguments = [userID]
        if let status {
            sql += " AND status = ?"
            arguments += [status.rawValue]
        }
        if let cursor {
            sql += " AND id < ?"
            arguments += [cursor.rawValue]
        }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments += [limit + 1]
        let finalSQL = sql
        let finalArguments = arguments
        let requests = self.requests
        let rows = try await pool.read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map { try TaskRecord(row: $0, requests: requests) }
        }
        let page = Array(rows.prefix(limit))
        return TaskPage(tasks: page, nextCursor: rows.count > limit ? page.last?.id : nil)
    }
}
