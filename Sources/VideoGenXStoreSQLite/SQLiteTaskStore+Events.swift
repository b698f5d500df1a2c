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
                let (reached, tasks): (Int64, [TaskRecord]) = try await pool.read { db in
                    let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM change_sequence WHERE id = 1")) ?? from
                    guard latest > from else { return (latest, []) }
                    let rows = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT * FROM tasks WHERE change_seq > ? ORDER BY change_seq LIMIT ?
                        """), arguments: [from, Self.pollPage])
                    // A full page may stop short of the latest number: continue after its last row.
                    let reached = rows.count < Self.pollPage ? latest : rows.last.map { $0["change_seq"] as Int64 } ?? latest
                    return (reached, try rows.map { try TaskRecord(row: $0, requests: requests) })
                }
                seen = reached
                broadcaster.publishChanged(tasks.map(TaskEvent.init))
            } catch {
                continue
            }
        }
    }

    /// Most changed tasks read per poll.
    static let pollPage = 1000
}
