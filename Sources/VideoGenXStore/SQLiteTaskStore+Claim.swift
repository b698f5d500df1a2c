import Foundation
import GRDB
import VideoGenXCore

extension SQLiteTaskStore {
    public func claim(worker: String, capacity: Int, leaseSeconds: Double) async throws -> [TaskRecord] {
        try await claim(worker: worker, capacity: capacity, leaseSeconds: leaseSeconds, filter: ClaimFilter())
    }

    public func claim(worker: String, capacity: Int, leaseSeconds: Double, filter: ClaimFilter) async throws -> [TaskRecord] {
        guard capacity >= 1, capacity <= 1000 else {
            throw StoreError(.invalidArgument, "capacity must be 1–1000, got \(capacity)")
        }
        guard leaseSeconds > 0 else {
            throw StoreError(.invalidArgument, "lease must be positive, got \(leaseSeconds) s")
        }
        let now = clock.now()
        let policy = self.policy
        let requests = self.requests
        let claimed: [TaskRecord] = try await pool.write { db in
            // Candidates: the oldest claimable tasks of each priority. Aging can only lift the
            // oldest tasks of a lane, so `capacity` per priority are enough to choose from. Only
            // the columns that order them are read; full rows are read for the chosen ones.
            var lanes: [[Candidate]] = Array(repeating: [], count: policy.laneWeights.count)
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
                for row in rows {
                    let candidate = Candidate(id: row[0], createdAt: row[1])
                    let waited = Double(now.milliseconds - candidate.createdAt) / 1000
                    let lane = LaneScheduler.effectiveLane(priority: priority, waitedSeconds: waited, agingSeconds: policy.agingSeconds)
                    lanes[min(lane, lanes.count - 1)].append(candidate)
                }
            }
            for lane in lanes.indices {
                lanes[lane].sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            }
            var scheduler = LaneScheduler(weights: policy.laneWeights, credits: try Self.loadCredits(db))
            var heads = Array(repeating: 0, count: lanes.count)
            var picked: [TaskRecord] = []
            while picked.count < capacity, let lane = scheduler.next(hasWork: { heads[$0] < lanes[$0].count }) {
                let candidate = lanes[lane][heads[lane]]
                heads[lane] += 1
                // queued → processing, guarded by the WHERE clause, in one statement.
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    UPDATE tasks SET status = 'processing', fencing_token = fencing_token + 1, lease_owner = ?,
                        lease_expires_at = ?, started_at = COALESCE(started_at, ?), stage = 'claimed', updated_at = ?
                    WHERE id = ? AND status = 'queued'
                    RETURNING *
                    """), arguments: [
                        worker, now.addingTimeInterval(leaseSeconds).milliseconds, now.milliseconds, now.milliseconds,
                        candidate.id,
                    ])
                else { continue }
                picked.append(try TaskRecord(row: row, requests: requests))
            }
            if !picked.isEmpty {
                try db.cachedStatement(sql: "UPDATE queue_state SET lane_credits = ? WHERE id = 1")
                    .execute(arguments: [scheduler.credits.map(String.init).joined(separator: ",")])
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
                task.attempt += 1
                task.error = TaskFailure(code: "lease_expired", message: "worker \(task.leaseOwner ?? "?") stopped renewing its lease")
                if task.cancelRequested {
                    try task.transition(to: .cancelled, at: now)
                } else if task.attempt >= policy.retry.maxAttempts {
                    try task.transition(to: .failed, at: now)
                } else {
                    // The lease timeout already delayed the task: it is claimable at once.
                    task.useFallback = policy.retry.fallback && task.attempt > policy.retry.retries
                    try task.transition(to: .queued, at: now)
                    task.availableAt = now
                }
                try Self.persist(task, db)
                return task
            }
        }
        broadcaster.publish(reaped.map(TaskEvent.init))
        return reaped
    }

    /// A claimable task, as much of it as ordering needs.
    struct Candidate {
        var id: String
        var createdAt: Int64
    }

    /// The stored lane credits.
    static func loadCredits(_ db: Database) throws -> [Int] {
        let text = try String.fetchOne(db.cachedStatement(sql: "SELECT lane_credits FROM queue_state WHERE id = 1")) ?? ""
        return text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }
}
