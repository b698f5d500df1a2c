import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The cluster ``TaskStore`` (DESIGN §1, §8): PostgreSQL through a `PostgresClient` pool, shared
/// by every `api` and `worker` process. Every operation is one transaction; claims take rows
/// with `FOR UPDATE SKIP LOCKED`, so workers never wait on each other's claims; every change
/// of a task is announced with `NOTIFY` and ``events()`` carries the changes of every process.
///
/// It is a `Service`: ``run()`` runs the connection pool and the event listener and must be
/// running for the store to answer. Time comes from the injected clock (as on SQLite), never
/// from the server, so leases and backoff follow one clock in tests.
public final class PostgresTaskStore: TaskStore, Service {
    let client: PostgresClient
    let clock: any WallClock
    let policy: QueuePolicy
    let logger: Logger
    let broadcaster = TaskEventBroadcaster()
    /// Decoded requests of recently seen tasks (immutable after create).
    let requests = RequestCache()
    /// Source of jitter in 0…1 for retry backoff.
    let jitterUnit: @Sendable () -> Double
    /// This process's lane credits: each claiming process serves the lanes 4:3:2:1 by itself,
    /// so claims need no shared row that every worker would queue on.
    let credits: Mutex<[Int]>
    /// The `application_name` this store's connections carry; its own notifications are
    /// skipped by its listener (they were published when committed).
    let origin: String
    /// How long one operation may wait for the database before failing `unavailable`.
    let operationTimeout: Duration

    /// A store on `configuration`'s database, which must be migrated first
    /// (``PostgresStoreURL/migrate(password:logger:)``).
    ///
    /// - Parameters:
    ///   - configuration: where and how to connect; its `application_name` is replaced.
    ///   - clock: time source. Default the system clock.
    ///   - policy: retries, lane weights, aging.
    ///   - operationTimeout: the longest an operation waits for the database. Default 5 s.
    ///   - jitterUnit: jitter source for backoff. Default uniform random.
    public init(
        configuration: PostgresClient.Configuration, clock: any WallClock = SystemWallClock(),
        policy: QueuePolicy = QueuePolicy(), operationTimeout: Duration = .seconds(5), logger: Logger,
        jitterUnit: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        var configuration = configuration
        origin = "videogenx-\(UUID().uuidString.prefix(13).lowercased())"
        configuration.options.additionalStartupParameters.removeAll { $0.0 == "application_name" }
        configuration.options.additionalStartupParameters.append(("application_name", origin))
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.clock = clock
        self.policy = policy
        self.logger = logger
        self.jitterUnit = jitterUnit
        self.operationTimeout = operationTimeout
        credits = Mutex(Array(repeating: 0, count: policy.laneWeights.count))
    }

    /// Runs the connection pool and listens for other processes' task changes until cancelled
    /// or shut down gracefully.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask {
                await self.listen()
            }
            // The pool stops when this group is cancelled (graceful shutdown or cancellation).
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Committed changes of every process on this database, from now on.
    public func events() -> AsyncStream<TaskEvent> {
        broadcaster.subscribe()
    }

    /// Runs `body` in one transaction within the operation deadline, mapping errors.
    func transaction<Result: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withDeadline(what) {
            try await self.client.withTransaction(logger: self.logger) { connection in
                try await body(connection)
            }
        }
    }

    /// Runs `body` on a pooled connection within the operation deadline, mapping errors.
    func connection<Result: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withDeadline(what) {
            try await self.client.withConnection { connection in
                try await body(connection)
            }
        }
    }

    /// `body`, or ``StoreError`` `unavailable` once ``operationTimeout`` has passed (the pool
    /// waits for a connection while the server is down; callers must hear back at once).
    private func withDeadline<Result: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let timeout = operationTimeout
        do {
            return try await withThrowingTaskGroup(of: Result?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw StoreError(.unavailable, "PostgreSQL did not answer within \(timeout) while \(what)")
                }
                return result
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw PostgresErrors.map(error, what)
        }
    }

    public func create(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool) {
        let made = try await insert(task, countingAhead: false)
        return (made.task, made.created)
    }

    /// ``create(_:)`` with the task's queue position read in the same statement (no checks to
    /// make: the insert as a CTE beside the count) or the same transaction, instead of two more
    /// round trips after the commit.
    public func createCountingAhead(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        try await insert(task, countingAhead: true)
    }

    /// Creates `task` (or finds the one its idempotency key made); with `countingAhead`, also
    /// the queued tasks ahead of it when it is queued.
    private func insert(_ task: NewTask, countingAhead: Bool) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        guard !task.userID.isEmpty else { throw StoreError(.invalidArgument, "a task needs a user id") }
        let record = TaskRecord(queued: task, at: clock.now())
        let requests = self.requests
        guard task.idempotencyKey != nil || task.maxPending != nil || task.maxQueued != nil else {
            // Nothing to check: one statement, committed on its own (one round trip).
            let position: Int? = try await connection("creating a task") { connection in
                let insert = try record.postgresInsert()
                guard countingAhead else {
                    try await connection.query(insert, logger: self.logger)
                    return nil
                }
                return try await Self.countAhead(of: record, connection, logger: self.logger, inserting: insert)
            }
            requests.remember(record.request, for: record.id.rawValue)
            broadcaster.publish([TaskEvent(record)])
            return (record, true, position)
        }
        let outcome: (TaskRecord, Bool, Int?) = try await transaction("creating a task") { connection in
            if task.maxPending != nil {
                // One submission of a capped user at a time (until commit), so the count below
                // cannot be passed by two at once.
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(hashtextextended('vgx-pending:' || \(task.userID), 0))", logger: self.logger
                ).collect()
            }
            // The key row is taken first: a second request with the key waits for this
            // transaction and then finds the first task.
            let inserted = if let key = task.idempotencyKey {
                try await connection.query("""
                    INSERT INTO task_idempotency (user_id, idempotency_key, task_id, created_at)
                    VALUES (\(task.userID), \(key), \(record.id.rawValue), \(record.createdAt.milliseconds))
                    ON CONFLICT DO NOTHING RETURNING 1
                    """, logger: self.logger).collect()
            } else {
                [PostgresRow]()
            }
            if let key = task.idempotencyKey, inserted.isEmpty {
                let rows = try await connection.query("""
                    SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks WHERE (id, created_at) = (
                        SELECT task_id, created_at FROM task_idempotency WHERE user_id = \(task.userID) AND idempotency_key = \(key)
                    )
                    """, logger: self.logger).collect()
                guard let row = rows.first else {
                    throw StoreError(.storage, "idempotency key \(key) names a missing task")
                }
                let first = try TaskRecord(postgres: row, requests: requests)
                let position = countingAhead && first.status == .queued ? try await Self.countAhead(of: first, connection, logger: self.logger) : nil
                return (first, false, position)
            }
            if let cap = task.maxPending {
                let queued = try await Self.queuedCount(userID: task.userID, connection, logger: self.logger)
                guard queued < cap else { throw StoreError.pendingCap(queued: queued, cap: cap) }
            }
            if let cap = task.maxQueued {
                let queued = try await Self.queuedCount(userID: nil, connection, logger: self.logger)
                guard queued < cap else { throw StoreError.queueFull(queued: queued, cap: cap) }
            }
            try await connection.query(try record.postgresInsert(), logger: self.logger)
            requests.remember(record.request, for: record.id.rawValue)
            return (record, true, countingAhead ? try await Self.countAhead(of: record, connection, logger: self.logger) : nil)
        }
        if outcome.1 {
            broadcaster.publish([TaskEvent(outcome.0)])
        }
        return outcome
    }

    public func get(_ id: TaskID) async throws -> TaskRecord? {
        let requests = self.requests
        return try await connection("reading a task") { connection in
            try await Self.fetch(id, connection, requests: requests, logger: self.logger, lock: false)
        }
    }

    public func list(userID: String, status: TaskStatus?, limit: Int, after cursor: TaskID?) async throws -> TaskPage {
        try StoreArguments.checkLimit(limit)
        let requests = self.requests
        // The conditions given, each bound in turn (as the SQLite driver builds its query).
        var binds = PostgresBindings()
        binds.append(userID)
        var sql = "SELECT \(TaskRecord.postgresColumns) FROM tasks WHERE user_id = $1"
        if let status {
            binds.append(status.rawValue)
            sql += " AND status = $\(binds.count)"
        }
        if let cursor {
            binds.append(cursor.rawValue)
            sql += " AND id < $\(binds.count)"
        }
        binds.append(Int64(limit + 1))
        sql += " ORDER BY id DESC LIMIT $\(binds.count)"
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let rows: [TaskRecord] = try await connection("listing tasks") { connection in
            try await connection.query(query, logger: self.logger).collect().map { try TaskRecord(postgres: $0, requests: requests) }
        }
        let page = Array(rows.prefix(limit))
        return TaskPage(tasks: page, nextCursor: rows.count > limit ? page.last?.id : nil)
    }

    /// The task `id` read on `connection` (locked for update when `lock`), pruned to its
    /// partition by the time its id carries.
    static func fetch(
        _ id: TaskID, _ connection: PostgresConnection, requests: RequestCache?, logger: Logger, lock: Bool
    ) async throws -> TaskRecord? {
        let created = id.createdAtMilliseconds
        let rows = try await connection.query("""
            SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks
            WHERE id = \(id.rawValue) AND created_at BETWEEN \(created) AND \(created + 1)
            \(unescaped: lock ? "FOR UPDATE" : "")
            """, logger: logger).collect()
        return try rows.first.map { try TaskRecord(postgres: $0, requests: requests) }
    }
}

extension PostgresTaskStore {
    /// Creates the monthly task partitions around the store clock's now (current + `monthsAhead`).
    @discardableResult
    public func ensurePartitions(monthsAhead: Int = 2) async throws -> [String] {
        try await PostgresPartitions.ensure(client, now: clock.now(), monthsAhead: monthsAhead, logger: logger)
    }
}
