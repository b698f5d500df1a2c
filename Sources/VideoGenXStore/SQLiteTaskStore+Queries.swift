import Foundation
import GRDB
import VideoGenXCore

extension SQLiteTaskStore {
    public func queuePosition(of id: TaskID) async throws -> Int? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT status, priority, created_at FROM tasks WHERE id = ?"), arguments: [id.rawValue]
            ), (row[0] as String) == TaskStatus.queued.rawValue else {
                return nil
            }
            let priority: Int = row[1]
            let created: Int64 = row[2]
            return try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COUNT(*) FROM tasks
                WHERE status = 'queued' AND (priority < ? OR (priority = ? AND (created_at < ? OR (created_at = ? AND id < ?))))
                """), arguments: [priority, priority, created, created, id.rawValue])
        }
    }

    public func recentCompletions(limit: Int) async throws -> [TaskRecord] {
        guard (1...1000).contains(limit) else {
            throw StoreError(.invalidArgument, "limit must be 1–1000, got \(limit)")
        }
        let requests = self.requests
        return try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM tasks WHERE status = 'succeeded' ORDER BY finished_at DESC LIMIT ?
                """), arguments: [limit]).map { try TaskRecord(row: $0, requests: requests) }
        }
    }

    public func queuedCount(userID: String?) async throws -> Int {
        try await pool.read { db in
            if let userID {
                try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM tasks WHERE user_id = ? AND status = 'queued'"), arguments: [userID]) ?? 0
            } else {
                try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM tasks WHERE status = 'queued'")) ?? 0
            }
        }
    }
}
