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
            let created = task.createdAt.milliseconds
            let rows = try await connection.query("""
                SELECT count(*) FROM tasks
                WHERE status = 'queued' AND (priority < \(Int64(task.priority.rawValue))
                    OR (priority = \(Int64(task.priority.rawValue)) AND (created_at, id) < (\(created), \(id.rawValue))))
                """, logger: self.logger).collect()
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
    }

    public func recentCompletions(limit: Int) async throws -> [TaskRecord] {
        try StoreArguments.checkLimit(limit)
        let requests = self.requests
        return try await connection("reading recent completions") { connection in
            try await connection.query("""
                SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks WHERE status = 'succeeded'
                ORDER BY finished_at DESC LIMIT \(Int64(limit))
                """, logger: self.logger).collect().map { try TaskRecord(postgres: $0, requests: requests) }
        }
    }

    public func queuedCount(userID: String?) async throws -> Int {
        try await connection("counting queued tasks") { connection in
            let rows = if let userID {
                try await connection.query(
                    "SELECT count(*) FROM tasks WHERE user_id = \(userID) AND status = 'queued'", logger: self.logger
                ).collect()
            } else {
                try await connection.query("SELECT count(*) FROM tasks WHERE status = 'queued'", logger: self.logger).collect()
            }
            return Int(try rows.first?.decode(Int64.self) ?? 0)
        }
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
