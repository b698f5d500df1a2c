import Foundation
import Metrics
import VideoGenXCore

/// A task store that measures every operation of the store it wraps
/// (`videogenx_store_operation_duration_seconds{op}`, `videogenx_store_errors_total{op}`) and
/// counts the task lifecycle from what the operations return: submissions, end states, queue
/// waits, task durations and callback outcomes (``TaskLifecycleMetrics``). Counting at the store
/// seam counts each transition once, in the process that made it, whichever role that is.
public struct InstrumentedTaskStore<Base: TaskStore & CallbackOutbox>: TaskStore, CallbackOutbox {
    /// The store doing the work.
    public let base: Base
    private let operations: OperationMetrics
    private let lifecycle: TaskLifecycleMetrics

    /// Wraps `base`, creating the metrics in the current metrics factory.
    public init(_ base: Base) {
        self.base = base
        operations = .taskStore()
        lifecycle = TaskLifecycleMetrics()
    }

    public func create(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool) {
        let made = try await operations.measure(.create) { try await base.create(task) }
        if made.created { lifecycle.submitted(made.task) }
        return made
    }

    public func createCountingAhead(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        let made = try await operations.measure(.create) { try await base.createCountingAhead(task) }
        if made.created { lifecycle.submitted(made.task) }
        return made
    }

    public func get(_ id: TaskID) async throws -> TaskRecord? {
        try await operations.measure(.get) { try await base.get(id) }
    }

    public func list(userID: String, status: TaskStatus?, limit: Int, after cursor: TaskID?) async throws -> TaskPage {
        try await operations.measure(.list) { try await base.list(userID: userID, status: status, limit: limit, after: cursor) }
    }

    public func claim(worker: String, capacity: Int, leaseSeconds: Double, filter: ClaimFilter) async throws -> [TaskRecord] {
        let claimed = try await operations.measure(.claim) {
            try await base.claim(worker: worker, capacity: capacity, leaseSeconds: leaseSeconds, filter: filter)
        }
        claimed.forEach(lifecycle.claimed)
        return claimed
    }

    public func heartbeat(_ id: TaskID, token: Int64, leaseSeconds: Double) async throws -> LeaseStatus {
        try await operations.measure(.heartbeat) { try await base.heartbeat(id, token: token, leaseSeconds: leaseSeconds) }
    }

    public func progress(_ id: TaskID, token: Int64, percent: Int, stage: String?) async throws -> LeaseStatus {
        try await operations.measure(.progress) { try await base.progress(id, token: token, percent: percent, stage: stage) }
    }

    public func complete(_ id: TaskID, token: Int64, result: TaskResult) async throws -> TaskRecord {
        try lifecycle.ended(await operations.measure(.complete) { try await base.complete(id, token: token, result: result) })
    }

    public func fail(_ id: TaskID, token: Int64, error: TaskFailure, retryable: Bool) async throws -> TaskRecord {
        try lifecycle.ended(await operations.measure(.fail) { try await base.fail(id, token: token, error: error, retryable: retryable) })
    }

    public func release(_ id: TaskID, token: Int64, checkpoint: String?) async throws -> TaskRecord {
        try await operations.measure(.release) { try await base.release(id, token: token, checkpoint: checkpoint) }
    }

    public func cancel(_ id: TaskID, userID: String) async throws -> TaskRecord {
        try lifecycle.ended(await operations.measure(.cancel) { try await base.cancel(id, userID: userID) })
    }

    public func confirmCancelled(_ id: TaskID, token: Int64) async throws -> TaskRecord {
        try lifecycle.ended(await operations.measure(.confirmCancelled) { try await base.confirmCancelled(id, token: token) })
    }

    public func reapExpiredLeases(now: Date) async throws -> [TaskRecord] {
        let reaped = try await operations.measure(.reapExpiredLeases) { try await base.reapExpiredLeases(now: now) }
        reaped.forEach { _ = lifecycle.ended($0) }
        return reaped
    }

    public func queuePosition(of id: TaskID) async throws -> Int? {
        try await operations.measure(.queuePosition) { try await base.queuePosition(of: id) }
    }

    public func queuedCount(userID: String?) async throws -> Int {
        try await operations.measure(.queuedCount) { try await base.queuedCount(userID: userID) }
    }

    public func queueDepth() async throws -> [TaskPriority: Int] {
        try await operations.measure(.queueDepth) { try await base.queueDepth() }
    }

    public func hasClaimable(priority: TaskPriority) async throws -> Bool {
        try await operations.measure(.hasClaimable) { try await base.hasClaimable(priority: priority) }
    }

    public func recentlyFinished(_ status: TaskStatus, limit: Int) async throws -> [TaskRecord] {
        try await operations.measure(.recentlyFinished) { try await base.recentlyFinished(status, limit: limit) }
    }

    public func unexpiredResults(finishedBefore cutoff: Date, limit: Int) async throws -> [TaskRecord] {
        try await operations.measure(.unexpiredResults) { try await base.unexpiredResults(finishedBefore: cutoff, limit: limit) }
    }

    public func markResultExpired(_ id: TaskID, at date: Date) async throws {
        try await operations.measure(.markResultExpired) { try await base.markResultExpired(id, at: date) }
    }

    public func events() -> AsyncStream<TaskEvent> {
        base.events()
    }

    public func claimDueCallbacks(now: Date, limit: Int, leaseSeconds: Double) async throws -> [CallbackDelivery] {
        try await operations.measure(.claimDueCallbacks) { try await base.claimDueCallbacks(now: now, limit: limit, leaseSeconds: leaseSeconds) }
    }

    public func recordCallbackAttempt(_ id: String, outcome: CallbackAttemptOutcome, at now: Date) async throws {
        try await operations.measure(.recordCallbackAttempt) { try await base.recordCallbackAttempt(id, outcome: outcome, at: now) }
        lifecycle.callback(outcome)
    }

    public func callbacks(of taskID: TaskID) async throws -> [CallbackDelivery] {
        try await operations.measure(.callbacks) { try await base.callbacks(of: taskID) }
    }
}
