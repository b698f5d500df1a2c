import Foundation
import GRDB
import VideoGenXCore

extension SQLiteTaskStore {
    public func heartbeat(_ id: TaskID, token: Int64, leaseSeconds: Double) async throws -> LeaseStatus {
        guard leaseSeconds > 0 else {
            throw StoreError(.invalidArgument, "lease must be positive, got \(leaseSeconds) s")
        }
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
        guard (0...100).contains(percent) else {
            throw StoreError(.invalidArgument, "percent must be 0–100, got \(percent)")
        }
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
            task.result = result
            task.error = nil
            task.progress = 100
            task.stage = nil
            try task.transition(to: .succeeded, at: now)
        }
    }

    public func fail(_ id: TaskID, token: Int64, error: TaskFailure, retryable: Bool) async throws -> TaskRecord {
        let retry = policy.retry
        let unit = jitterUnit()
        return try await leasedChange(id, token: token) { task, now in
            task.attempt += 1
            task.error = error
            guard retryable else {
                try task.transition(to: .failed, at: now)
                return
            }
            switch retry.decide(failures: task.attempt, unit: unit) {
            case .retry(let delay):
                try task.transition(to: .queued, at: now)
                task.availableAt = now.addingTimeInterval(delay)
            case .retryOnFallback:
                try task.transition(to: .queued, at: now)
                task.useFallback = true
                task.availableAt = now
            case .fail:
                try task.transition(to: .failed, at: now)
            }
        }
    }

    public func release(_ id: TaskID, token: Int64, checkpoint: String?) async throws -> TaskRecord {
        try await leasedChange(id, token: token) { task, now in
            try task.transition(to: .queued, at: now)
            task.availableAt = now
            task.checkpointRef = checkpoint ?? task.checkpointRef
        }
    }

    public func confirmCancelled(_ id: TaskID, token: Int64) async throws -> TaskRecord {
        try await leasedChange(id, token: token) { task, now in
            guard task.cancelRequested else {
                throw StoreError(.illegalTransition, "task \(id) has no pending cancel request")
            }
            try task.transition(to: .cancelled, at: now)
        }
    }

    public func cancel(_ id: TaskID, userID: String) async throws -> TaskRecord {
        let now = clock.now()
        let requests = self.requests
        let task: TaskRecord = try await pool.write { db in
            var task = try TaskRecord.load(db, id, requests: requests)
            guard task.userID == userID else { throw StoreError.notFound(id) }
            switch task.status {
            case .processing:
                task.cancelRequested = true
                task.updatedAt = now
            case .initialized, .queued:
                try task.transition(to: .cancelled, at: now)
            case .succeeded, .failed, .cancelled:
                throw StoreError(.illegalTransition, "task \(id) is already \(task.status.rawValue)")
            }
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
