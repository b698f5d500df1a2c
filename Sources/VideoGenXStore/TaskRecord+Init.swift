import Foundation
import VideoGenXCore

extension TaskRecord {
    /// The record `create` inserts for `task`: queued, attempt 0, created at `now` with an id
    /// that carries that time.
    package init(queued task: NewTask, at now: Date) {
        self.init(
            id: TaskID.make(at: now), userID: task.userID, status: .queued, priority: task.priority,
            request: task.request, model: task.model, batchKey: task.batchKey, attempt: 0, fencingToken: 0,
            leaseOwner: nil, leaseExpiresAt: nil, progress: 0, stage: "queued", result: nil, error: nil,
            idempotencyKey: task.idempotencyKey, cancelRequested: false, useFallback: false, checkpointRef: nil,
            traceContext: task.traceContext, callbackURL: task.callbackURL, createdAt: now, updatedAt: now,
            startedAt: nil, finishedAt: nil, availableAt: now, tier: task.tier
        )
    }
}
