import Foundation
import GRDB
import ServiceLifecycle
import VideoGenXCore
import VideoGenXStore

extension SQLiteTaskStore: Service {
    /// Follows the changes other processes make to the same file (a `serve` and an extra
    /// `worker`, say): every ``pollInterval`` the change sequence is read, and tasks numbered
    /// above the last seen are published as events (those this process published already are
    /// skipped). Runs until cancelled or shut down gracefully.
    public func run() async throws {
        var seen = try await pool.read { db in try Int64.fetchOne(db, sql: "SELECT seq FROM change_sequence WHERE id = 1") ?? 0 }
        let requests = self.requests
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: pollInterval)
            do {
                let from = seen
                let (latest, tasks): (Int64, [TaskRecord]) = try await pool.read { db in
                    let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM change_sequence WHERE id = 1")) ?? from
                    guard latest > from else { return (latest, []) }
                    let rows = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT * FROM tasks WHERE change_seq > ? ORDER BY change_seq LIMIT 1000
                        """), arguments: [from])
                    return (latest, try rows.map { try TaskRecord(row: $0, requests: requests) })
                }
                seen = tasks.isEmpty ? latest : max(from, try await lastSequence(of: tasks, after: from, latest: latest))
                broadcaster.publishChanged(tasks.map(TaskEvent.init))
            } catch {
                continue
            }
        }
    }

    /// The change number the poll has reached: the highest of `tasks` when the page was full,
    /// else `latest`.
    private func lastSequence(of tasks: [TaskRecord], after from: Int64, latest: Int64) async throws -> Int64 {
        guard tasks.count >= 1000 else { return latest }
        let ids = tasks.map(\.id.rawValue)
        return try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(change_seq) FROM tasks WHERE id IN (\(ids.map { _ in "?" }.joined(separator: ",")))",
                               arguments: StatementArguments(ids)) ?? latest
        }
    }
}
