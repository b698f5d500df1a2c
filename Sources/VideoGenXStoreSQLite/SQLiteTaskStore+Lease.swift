import Foundation
import GRDB
import VideoGenXCore
import VideoGenXStore

extension SQLiteTaskStore {
    public func heartbeat(_ id: TaskID, token: Int64, leaseSeconds: Double) async throws -> LeaseStatus {
        try StoreArguments.checkLease(leaseSeconds)
        let now = clock.now()
        let requests = self.requests
        return try await pool.write { db in
            var task = try TaskRecord.leased(db, id, token: token, requests: requests)
            task.leaseExpiresAt = now.addingTimeInterval(leaseSeconds)
            task.updatedAt = now
            try task.update(db)
            return task.cancelRequested ? .cancelRequested : .active
        }
    }

    public func progress(_ id: TaskID, token: Int64, percent: Int, stage: String?) async throws -> LeaseStatus {
        try StoreArguments.checkPercent(percent)
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await pool.write { db in
            var task = try TaskRecord.leased(db, id, token: token, requests: requests)
            task.progress = percent
            task.stage = stage ?? task.stage
            task.updatedAt = now
            try task.update(db)
            return task
        }
        broadcaster.publish([TaskEvent(task)])
        return task.cancelRequested ? .cancelRequested : .active
    }

    public func complete(_ id: TaskID, token: Int64, result: TaskResult) async throws -> TaskRecord {
        try await leasedChange(id, token: token) { task, now in
            try task.recordCompletion(result, at: now)
        }
    }

    public func fail(_ id: TaskID, token: Int64, error: TaskFailure, retryable: Bool) async throws -> TaskRecord {
        let retry = policy.retry
        let unit = jitterUnit()
        return try await leasedChange(id, token: token) { task, now in
            try task.recordFailedAttempt(error, retryable: retryable, policy: retry, unit: unit, waited: false, at: now)
        }
    }

    public func release(_ id: TaskID, token: Int64, checkpoint: String?) async throws -> TaskRecord {
        try await leasedChange(id, token: token) { task, now in
            try task.recordRelease(checkpoint: checkpoint, at: now)
        }
    }

    public func confirmCancelled(_ id: TaskID, token: Int64) async throws -> TaskRecord {
        try await leasedChange(id, token: token) { task, now in
            try task.recordCancelConfirmed(at: now)
        }
    }

    public func cancel(_ id: TaskID, userID: String) async throws -> TaskRecord {
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await pool.write { db in
            var task = try TaskRecord.load(db, id, requests: requests)
            guard task.userID == userID else { throw StoreError.notFound(id) }
            try task.requestCancel(at: now)
            try Self.persist(task, db)
            return task
        }
        broadcaster.publish([TaskEvent(task)])
        return task
    }

    /// One fenced change of a leased task in one transaction, then its event.
    private func leasedChange(
        _ id: TaskID, token: Int64, _ change: @escaping @Sendable (inout TaskRecord, Date) throws -> Void
    ) async throws -> TaskRecord {
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await pool.write { db in
            var task = try TaskRecord.leased(db, id, token: token, requests: requests)
            try change(&task, now)
            try Self.persist(task, db)
            return task
        }
        broadcaster.publish([TaskEvent(task)])
        return task
    }
}
