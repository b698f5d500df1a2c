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
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: pollInterval)
            do {
                let from = seen
                let (reached, events): (Int64, [TaskEvent]) = try await pool.read { db in
                    let latest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM change_sequence WHERE id = 1")) ?? from
                    guard latest > from else { return (latest, []) }
                    // Only the event's columns: most rows read back are this process's own
                    // changes, published already, and decoding whole records (their request JSON
                    // too) cost 2 % of a submission's CPU under load.
                    let rows = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT id, user_id, status, progress, stage, cancel_requested, change_seq FROM tasks
                        WHERE change_seq > ? ORDER BY change_seq LIMIT ?
                        """), arguments: [from, Self.pollPage])
                    // A full page may stop short of the latest number: continue after its last row.
                    let reached = rows.count < Self.pollPage ? latest : rows.last.map { $0[6] as Int64 } ?? latest
                    return (reached, try rows.map(Self.event))
                }
                seen = reached
                broadcaster.publishChanged(events)
            } catch {
                continue
            }
        }
    }

    /// The event of a row of ``run()``'s change query.
    private static func event(_ row: Row) throws -> TaskEvent {
        guard let id = TaskID(rawValue: row[0]), let status = TaskStatus(rawValue: row[2]) else {
            throw StoreError(.storage, "unreadable task row \(row)")
        }
        return TaskEvent(taskID: id, userID: row[1], status: status, progress: row[3], stage: row[4], cancelRequested: row[5])
    }

    /// Most changed tasks read per poll.
    static let pollPage = 1000
}
