import Foundation
import PostgresNIO
import VideoGenXCore
import VideoGenXStore

extension PostgresTaskStore {
    /// Tasks in higher lanes plus the tasks of the same lane created before it, counted on the
    /// partial claim index.
    public func queuePosition(of id: TaskID) async throws -> Int? {
        try await connection("reading a queue position") { connection in
            guard let task = try await Self.fetch(id, connection, requests: self.requests, logger: self.logger, lock: false),
                  task.status == .queued
            else { return nil }
            return try await Self.countAhead(of: task, connection, logger: self.logger)
        }
    }

    /// The queued tasks ahead of `task`: in higher lanes, or in its lane and created before it.
    /// With `insert`, that statement runs first as a CTE of the same one (the count sees the
    /// table as it was before it, which holds the same tasks ahead).
    static func countAhead(of task: TaskRecord, _ connection: PostgresConnection, logger: Logger, inserting insert: PostgresQuery? = nil) async throws -> Int {
        var binds = insert?.binds ?? PostgresBindings()
        binds.append(Int64(task.priority.rawValue))
        let priority = binds.count
        binds.append(task.createdAt.milliseconds)
        let created = binds.count
        binds.append(task.id.rawValue)
        let id = binds.count
        let sql = (insert.map { "WITH inserted AS (\($0.sql)) " } ?? "") + """
            SELECT count(*) FROM tasks
            WHERE status = 'queued' AND (priority < $\(priority) OR (priority = $\(priority) AND (created_at, id) < ($\(created), $\(id))))
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).collect()
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func recentlyFinished(_ status: TaskStatus, limit: Int) async throws -> [TaskRecord] {
        try StoreArguments.checkLimit(limit)
        let requests = self.requests
        return try await connection("reading recently finished tasks") { connection in
            try await connection.query("""
                SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks WHERE status = \(status.rawValue)
                ORDER BY finished_at DESC LIMIT \(Int64(limit))
                """, logger: self.logger).collect().map { try TaskRecord(postgres: $0, requests: requests) }
        }
    }

    public func unexpiredResults(finishedBefore cutoff: Date, limit: Int) async throws -> [TaskRecord] {
        try StoreArguments.checkLimit(limit)
        let requests = self.requests
        return try await connection("reading results to expire") { connection in
            try await connection.query("""
                SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks
                WHERE status = 'succeeded' AND result_expired_at IS NULL AND finished_at < \(cutoff.milliseconds)
                ORDER BY finished_at LIMIT \(Int64(limit))
                """, logger: self.logger).collect().map { try TaskRecord(postgres: $0, requests: requests) }
        }
    }

    public func markResultExpired(_ id: TaskID, at date: Date) async throws {
        let requests = self.requests
        try await transaction("expiring a result") { connection in
            guard let task = try await Self.fetch(id, connection, requests: requests, logger: self.logger, lock: true) else {
                throw StoreError.notFound(id)
            }
            guard task.status == .succeeded, var result = task.result else {
                throw StoreError(.illegalTransition, "task \(id) is \(task.status.rawValue); only a succeeded task's result expires")
            }
            guard result.expiredAt == nil else { return }
            result.expiredAt = date
            // Not persist(): the task's status is unchanged and its callback was sent already.
            let created = id.createdAtMilliseconds
            try await connection.query("""
                UPDATE tasks SET result = \(try TaskRecord.encode(result)), result_expired_at = \(date.milliseconds)
                WHERE id = \(id.rawValue) AND created_at BETWEEN \(created) AND \(created + 1)
                """, logger: self.logger)
        }
    }

    public func queueDepth() async throws -> [TaskPriority: Int] {
        try await connection("counting the queue by priority") { connection in
            let rows = try await connection.query(
                "SELECT priority, count(*) FROM tasks WHERE status = 'queued' GROUP BY priority", logger: self.logger
            ).collect()
            var depth = Dictionary(uniqueKeysWithValues: TaskPriority.all.map { ($0, 0) })
            for row in rows {
                let (priority, count) = try row.decode((Int, Int64).self)
                if let priority = TaskPriority(rawValue: priority) { depth[priority] = Int(count) }
            }
            return depth
        }
    }

    public func queuedCount(userID: String?) async throws -> Int {
        try await connection("counting queued tasks") { connection in
            try await Self.queuedCount(userID: userID, connection, logger: self.logger)
        }
    }

    /// Tasks queued for `userID`, or in all for `nil`, on `connection` (inside its transaction).
    static func queuedCount(userID: String?, _ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = if let userID {
            try await connection.query("SELECT count(*) FROM tasks WHERE user_id = \(userID) AND status = 'queued'", logger: logger).collect()
        } else {
            try await connection.query("SELECT count(*) FROM tasks WHERE status = 'queued'", logger: logger).collect()
        }
        return Int(try rows.first?.decode(Int64.self) ?? 0)
    }

    public func hasClaimable(priority: TaskPriority) async throws -> Bool {
        let now = clock.now().milliseconds
        return try await connection("looking for claimable tasks") { connection in
            let rows = try await connection.query("""
                SELECT EXISTS (SELECT 1 FROM tasks WHERE status = 'queued' AND priority = \(Int64(priority.rawValue))
                    AND available_at <= \(now))
                """, logger: self.logger).collect()
            return try rows.first?.decode(Bool.self) ?? false
        }
    }
}
