import Foundation
import PostgresNIO
import Synchronization
import VideoGenXCore
import VideoGenXStore

extension PostgresTaskStore {
    /// One transaction: the oldest claimable tasks of each admitted lane are locked with
    /// `FOR UPDATE SKIP LOCKED` (rows another worker is claiming are passed over, not waited
    /// for), ``ClaimPlan`` picks among them, and one `UPDATE … RETURNING` leases the picks.
    public func claim(worker: String, capacity: Int, leaseSeconds: Double, filter: ClaimFilter) async throws -> [TaskRecord] {
        try StoreArguments.checkClaim(capacity: capacity, leaseSeconds: leaseSeconds)
        let now = clock.now()
        let policy = self.policy
        let requests = self.requests
        let lanes = TaskPriority.all.filter { filter.priorities?.contains($0) ?? true }.map { Int64($0.rawValue) }
        let startCredits = credits.withLock { $0 }
        let (claimed, plan): ([TaskRecord], ClaimPlan?) = try await transaction("claiming tasks") { connection in
            let candidateQuery: PostgresQuery
            if let batchKey = filter.batchKey {
                candidateQuery = """
                    SELECT c.id, c.priority, c.created_at FROM unnest(\(lanes)::bigint[]) AS lane(priority)
                    CROSS JOIN LATERAL (
                        SELECT id, priority, created_at FROM tasks
                        WHERE status = 'queued' AND batch_key = \(batchKey) AND priority = lane.priority
                            AND available_at <= \(now.milliseconds)
                        ORDER BY created_at, id LIMIT \(Int64(capacity)) FOR UPDATE SKIP LOCKED
                    ) c
                    """
            } else {
                candidateQuery = """
                    SELECT c.id, c.priority, c.created_at FROM unnest(\(lanes)::bigint[]) AS lane(priority)
                    CROSS JOIN LATERAL (
                        SELECT id, priority, created_at FROM tasks
                        WHERE status = 'queued' AND priority = lane.priority AND available_at <= \(now.milliseconds)
                        ORDER BY created_at, id LIMIT \(Int64(capacity)) FOR UPDATE SKIP LOCKED
                    ) c
                    """
            }
            var candidates: [ClaimPlan.Candidate] = []
            for try await (id, priority, created) in try await connection.query(candidateQuery, logger: self.logger)
                .decode((String, Int64, Int64).self)
            {
                guard let priority = TaskPriority(rawValue: Int(priority)) else { continue }
                candidates.append(ClaimPlan.Candidate(id: id, priority: priority, createdAt: created))
            }
            guard !candidates.isEmpty else { return ([], nil) }
            let plan = ClaimPlan(candidates: candidates, capacity: capacity, credits: startCredits, policy: policy, now: now)
            let created = plan.picks.compactMap { id in candidates.first { $0.id == id }?.createdAt }
            let rows = try await connection.query("""
                UPDATE tasks SET status = 'processing', fencing_token = fencing_token + 1, lease_owner = \(worker),
                    lease_expires_at = \(now.addingTimeInterval(leaseSeconds).milliseconds),
                    started_at = COALESCE(started_at, \(now.milliseconds)), stage = 'claimed',
                    updated_at = \(now.milliseconds), version = version + 1
                WHERE id = ANY(\(plan.picks)) AND created_at = ANY(\(created)) AND status = 'queued'
                RETURNING \(unescaped: TaskRecord.postgresColumns)
                """, logger: self.logger).collect()
            let order = Dictionary(uniqueKeysWithValues: plan.picks.enumerated().map { ($1, $0) })
            let tasks = try rows.map { try TaskRecord(postgres: $0, requests: requests) }
                .sorted { (order[$0.id.rawValue] ?? 0) < (order[$1.id.rawValue] ?? 0) }
            return (tasks, plan)
        }
        if let plan {
            credits.withLock { $0 = plan.credits }
        }
        broadcaster.publish(claimed.map(TaskEvent.init))
        return claimed
    }

    /// Expired leases are taken with `SKIP LOCKED`, so two reapers never charge one task twice.
    public func reapExpiredLeases(now: Date) async throws -> [TaskRecord] {
        let policy = self.policy
        let requests = self.requests
        let reaped: [TaskRecord] = try await transaction("reaping expired leases") { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: TaskRecord.postgresColumns) FROM tasks
                WHERE status = 'processing' AND lease_expires_at < \(now.milliseconds)
                ORDER BY lease_expires_at LIMIT 1000 FOR UPDATE SKIP LOCKED
                """, logger: self.logger).collect()
            var reaped: [TaskRecord] = []
            for row in rows {
                var task = try TaskRecord(postgres: row, requests: requests)
                try task.recordFailedAttempt(
                    TaskFailure(code: "lease_expired", message: "worker \(task.leaseOwner ?? "?") stopped renewing its lease"),
                    retryable: true, policy: policy.retry, unit: 0.5, waited: true, at: now
                )
                try await Self.persist(task, connection, logger: self.logger)
                reaped.append(task)
            }
            return reaped
        }
        broadcaster.publish(reaped.map(TaskEvent.init))
        return reaped
    }
}
