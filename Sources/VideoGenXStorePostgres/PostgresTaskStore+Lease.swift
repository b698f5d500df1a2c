import Foundation
import PostgresNIO
import VideoGenXCore
import VideoGenXStore

extension PostgresTaskStore {
    public func heartbeat(_ id: TaskID, token: Int64, leaseSeconds: Double) async throws -> LeaseStatus {
        try StoreArguments.checkLease(leaseSeconds)
        let now = clock.now()
        let created = id.createdAtMilliseconds
        // One fenced statement; a heartbeat changes nothing anyone watches, so no version bump.
        let renewed: Bool? = try await connection("renewing a lease") { connection in
            try await connection.query("""
                UPDATE tasks SET lease_expires_at = \(now.addingTimeInterval(leaseSeconds).milliseconds), updated_at = \(now.milliseconds)
                WHERE id = \(id.rawValue) AND created_at BETWEEN \(created) AND \(created + 1)
                    AND status = 'processing' AND fencing_token = \(token)
                RETURNING cancel_requested
                """, logger: self.logger).collect().first?.decode(Bool.self)
        }
        guard let cancel = renewed else {
            throw try await staleOrMissing(id, token: token)
        }
        return cancel ? .cancelRequested : .active
    }

    public func progress(_ id: TaskID, token: Int64, percent: Int, stage: String?) async throws -> LeaseStatus {
        try StoreArguments.checkPercent(percent)
        let task = try await leasedChange(id, token: token, "recording progress") { task, now in
            task.progress = percent
            task.stage = stage ?? task.stage
            task.updatedAt = now
        }
        return task.cancelRequested ? .cancelRequested : .active
    }

    public func complete(_ id: TaskID, token: Int64, result: TaskResult) async throws -> TaskRecord {
        try await leasedChange(id, token: token, "completing a task") { task, now in
            try task.recordCompletion(result, at: now)
        }
    }

    public func fail(_ id: TaskID, token: Int64, error: TaskFailure, retryable: Bool) async throws -> TaskRecord {
        let retry = policy.retry
        let unit = jitterUnit()
        return try await leasedChange(id, token: token, "failing an attempt") { task, now in
            try task.recordFailedAttempt(error, retryable: retryable, policy: retry, unit: unit, waited: false, at: now)
        }
    }

    public func release(_ id: TaskID, token: Int64, checkpoint: String?) async throws -> TaskRecord {
        try await leasedChange(id, token: token, "releasing a task") { task, now in
            try task.recordRelease(checkpoint: checkpoint, at: now)
        }
    }

    public func confirmCancelled(_ id: TaskID, token: Int64) async throws -> TaskRecord {
        try await leasedChange(id, token: token, "confirming a cancel") { task, now in
            try task.recordCancelConfirmed(at: now)
        }
    }

    public func cancel(_ id: TaskID, userID: String) async throws -> TaskRecord {
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await transaction("cancelling a task") { connection in
            guard var task = try await Self.fetch(id, connection, requests: requests, logger: self.logger, lock: true),
                  task.userID == userID
            else { throw StoreError.notFound(id) }
            try task.requestCancel(at: now)
            try await Self.persist(task, connection, logger: self.logger)
            return task
        }
        broadcaster.publish([TaskEvent(task)])
        return task
    }

    /// One fenced change of a leased task in one transaction (row locked), then its event.
    private func leasedChange(
        _ id: TaskID, token: Int64, _ what: String, _ change: @escaping @Sendable (inout TaskRecord, Date) throws -> Void
    ) async throws -> TaskRecord {
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await transaction(what) { connection in
            guard let found = try await Self.fetch(id, connection, requests: requests, logger: self.logger, lock: true) else {
                throw StoreError.notFound(id)
            }
            var task = try found.requireLease(token)
            try change(&task, now)
            try await Self.persist(task, connection, logger: self.logger)
            return task
        }
        broadcaster.publish([TaskEvent(task)])
        return task
    }

    /// The error for a fenced write that matched no row: `notFound` or `staleLease`.
    private func staleOrMissing(_ id: TaskID, token: Int64) async throws -> StoreError {
        guard let task = try await get(id) else { return StoreError.notFound(id) }
        do {
            _ = try task.requireLease(token)
            return StoreError(.staleLease, "lease \(token) on task \(id) changed while renewing")
        } catch let error as StoreError {
            return error
        }
    }
}
