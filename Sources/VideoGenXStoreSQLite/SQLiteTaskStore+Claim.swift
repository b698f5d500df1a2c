import Foundation
import GRDB
import VideoGenXCore
import VideoGenXStore

extension SQLiteTaskStore {
    public func claim(worker: String, capacity: Int, leaseSeconds: Double, filter: ClaimFilter) async throws -> [TaskRecord] {
        try StoreArguments.checkClaim(capacity: capacity, leaseSeconds: leaseSeconds)
        let now = clock.now()
        let policy = self.policy
        let requests = self.requests
        let claimed: [TaskRecord] = try await pool.write { db in
            // Candidates: the oldest claimable tasks of each priority (aging can only lift the
            // oldest tasks of a lane, so `capacity` per priority are enough to choose from). Only
            // the columns that order them are read; full rows are read for the chosen ones.
            var candidates: [ClaimPlan.Candidate] = []
            for priority in TaskPriority.all where filter.priorities?.contains(priority) ?? true {
                let rows: [Row]
                if let batchKey = filter.batchKey {
                    rows = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT id, created_at FROM tasks
                        WHERE status = 'queued' AND batch_key = ? AND priority = ? AND available_at <= ?
                        ORDER BY created_at, id LIMIT ?
                        """), arguments: [batchKey, priority.rawValue, now.milliseconds, capacity])
                } else {
                    rows = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT id, created_at FROM tasks
                        WHERE status = 'queued' AND priority = ? AND available_at <= ?
                        ORDER BY created_at, id LIMIT ?
                        """), arguments: [priority.rawValue, now.milliseconds, capacity])
                }
                candidates += rows.map { ClaimPlan.Candidate(id: $0[0], priority: priority, createdAt: $0[1]) }
            }
            let plan = ClaimPlan(candidates: candidates, capacity: capacity, credits: try Self.loadCredits(db), policy: policy, now: now)
            var picked: [TaskRecord] = []
            for id in plan.picks {
                // queued → processing, guarded by the WHERE clause, in one statement.
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    UPDATE tasks SET status = 'processing', fencing_token = fencing_token + 1, lease_owner = ?,
                        lease_expires_at = ?, started_at = COALESCE(started_at, ?), stage = 'claimed', updated_at = ?
                    WHERE id = ? AND status = 'queued'
                    RETURNING *
                    """), arguments: [
                        worker, now.addingTimeInterval(leaseSeconds).milliseconds, now.milliseconds, now.milliseconds, id,
                    ])
                else { continue }
                picked.append(try TaskRecord(row: row, requests: requests))
            }
            if !picked.isEmpty {
                try db.cachedStatement(sql: "UPDATE queue_state SET lane_credits = ? WHERE id = 1")
                    .execute(arguments: [plan.creditsText])
            }
            return picked
        }
        broadcaster.publish(claimed.map(TaskEvent.init))
        return claimed
    }

    public func reapExpiredLeases(now: Date) async throws -> [TaskRecord] {
        let policy = self.policy
        let requests = self.requests
        let reaped: [TaskRecord] = try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM tasks WHERE status = 'processing' AND lease_expires_at < ?
                ORDER BY lease_expires_at
                """, arguments: [now.milliseconds])
            return try rows.map { row in
                var task = try TaskRecord(row: row, requests: requests)
                try task.recordFailedAttempt(
                    TaskFailure(code: "lease_expired", message: "worker \(task.leaseOwner ?? "?") stopped renewing its lease"),
                    retryable: true, policy: policy.retry, unit: 0.5, waited: true, at: now
                )
                try Self.persist(task, db)
                return task
            }
        }
        broadcaster.publish(reaped.map(TaskEvent.init))
        return reaped
    }

    /// The stored lane credits.
    static func loadCredits(_ db: Database) throws -> [Int] {
        let text = try String.fetchOne(db.cachedStatement(sql: "SELECT lane_credits FROM queue_state WHERE id = 1")) ?? ""
        return ClaimPlan.parseCredits(text)
    }
}
