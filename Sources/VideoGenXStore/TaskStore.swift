import Foundation
import VideoGenXCore

/// The durable queue and record of tasks (DESIGN §3–§4). Implemented by ``SQLiteTaskStore``
/// (embedded) and, later, a PostgreSQL store; both pass the same contract suite.
///
/// Guarantees: a task whose `create` returned survives a crash of any process; a claimed task
/// is held by one lease at a time, and every write of a worker is fenced by its lease token, so
/// a worker that lost its lease can change nothing; delivery is at-least-once (a crashed
/// worker's task runs again after its lease expires).
public protocol TaskStore: Sendable {
    /// Enqueues a task as `queued`. With an idempotency key the same user already used, returns
    /// that first task instead (`created` is false) and adds nothing.
    func create(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool)

    /// ``create(_:)`` that also answers the returned task's ``queuePosition(of:)`` (`nil` when it
    /// is not queued), for the submission's `estimated_time`. The default creates, then reads the
    /// position; a store that can count it inside the insert's transaction overrides this and
    /// saves the second round trip (SQLite does).
    func createCountingAhead(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool, position: Int?)

    /// The task with `id`, or `nil`.
    func get(_ id: TaskID) async throws -> TaskRecord?

    /// A user's tasks, newest first, optionally of one status; pass the previous page's
    /// `nextCursor` to continue. Stable under concurrent inserts (keyset pagination).
    func list(userID: String, status: TaskStatus?, limit: Int, after cursor: TaskID?) async throws -> TaskPage

    /// Moves up to `capacity` claimable tasks to `processing` under a lease of `lease` seconds
    /// held by `worker`, in lane order (4:3:2:1 with aging). Each returned task carries its new
    /// fencing token.
    func claim(worker: String, capacity: Int, leaseSeconds: Double) async throws -> [TaskRecord]

    /// ``claim(worker:capacity:leaseSeconds:)`` restricted to the tasks `filter` admits: a
    /// batcher collecting tasks with one batch key, or a device freed for urgent work taking P0
    /// only. Lane order applies among the admitted tasks.
    func claim(worker: String, capacity: Int, leaseSeconds: Double, filter: ClaimFilter) async throws -> [TaskRecord]

    /// Extends the lease to `leaseSeconds` from now. Answers whether a cancel is pending.
    /// - Throws: ``StoreError`` `staleLease` when `token` is no longer the task's lease.
    func heartbeat(_ id: TaskID, token: Int64, leaseSeconds: Double) async throws -> LeaseStatus

    /// Records progress (0–100) and stage. Answers whether a cancel is pending.
    /// - Throws: ``StoreError`` `staleLease` when `token` is no longer the task's lease.
    func progress(_ id: TaskID, token: Int64, percent: Int, stage: String?) async throws -> LeaseStatus

    /// Finishes the task with `result`: `succeeded`, or `cancelled` (result dropped) when its user
    /// asked to cancel it before this call.
    func complete(_ id: TaskID, token: Int64, result: TaskResult) async throws -> TaskRecord

    /// Records a failed attempt. Retryable failures go back to the queue with backoff, then once
    /// on the model's fallback, then fail; non-retryable ones fail at once.
    func fail(_ id: TaskID, token: Int64, error: TaskFailure, retryable: Bool) async throws -> TaskRecord

    /// Gives the task back to the queue with no attempt charged (device lost, preemption),
    /// keeping `checkpoint` to resume from when given.
    func release(_ id: TaskID, token: Int64, checkpoint: String?) async throws -> TaskRecord

    /// Cancels a user's task: a queued task at once; a processing one is flagged and the worker
    /// confirms with ``confirmCancelled(_:token:)`` at its next step.
    /// - Throws: ``StoreError`` `notFound` (also for another user's task), `illegalTransition`
    ///   for a finished task.
    func cancel(_ id: TaskID, userID: String) async throws -> TaskRecord

    /// The worker stopped a task whose cancel was requested: it becomes `cancelled`.
    func confirmCancelled(_ id: TaskID, token: Int64) async throws -> TaskRecord

    /// Returns every `processing` task whose lease expired before `now` to the queue (one
    /// attempt charged), or fails it when its attempts are used up. Returns the tasks touched.
    func reapExpiredLeases(now: Date) async throws -> [TaskRecord]

    /// How many claimable tasks are ahead of the queued task `id` (0 = next), by lane then age;
    /// `nil` when the task is not queued. An estimate: aging and the lane rotation can reorder.
    func queuePosition(of id: TaskID) async throws -> Int?

    /// Queued tasks of `userID`, or of everyone when `nil` (caps on pending work).
    func queuedCount(userID: String?) async throws -> Int

    /// Queued tasks of everyone by priority, every priority present (0 when none): the
    /// `videogenx_queue_depth` gauge.
    func queueDepth() async throws -> [TaskPriority: Int]

    /// Whether a task of `priority` can be claimed now (queued and past any backoff): what makes
    /// a full worker preempt lower-priority work.
    func hasClaimable(priority: TaskPriority) async throws -> Bool

    /// The tasks in `status` that finished most recently, newest first: succeeded ones for
    /// throughput estimates, failed ones for the console's operations page.
    func recentlyFinished(_ status: TaskStatus, limit: Int) async throws -> [TaskRecord]

    /// Succeeded tasks finished before `cutoff` whose results have not expired, oldest first,
    /// at most `limit` (retention: their objects are due for deletion).
    func unexpiredResults(finishedBefore cutoff: Date, limit: Int) async throws -> [TaskRecord]

    /// Marks the result of succeeded task `id` expired at `date` (its objects were deleted):
    /// ``TaskResult/expiredAt`` is set and the task leaves ``unexpiredResults(finishedBefore:limit:)``.
    /// Marking an expired result again changes nothing.
    /// - Throws: ``StoreError`` `notFound` for an unknown task, `illegalTransition` unless it succeeded.
    func markResultExpired(_ id: TaskID, at date: Date) async throws

    /// Committed task changes, from now on.
    func events() -> AsyncStream<TaskEvent>
}

extension TaskStore {
    /// Creates, then reads the position: two round trips.
    public func createCountingAhead(_ task: NewTask) async throws -> (task: TaskRecord, created: Bool, position: Int?) {
        let made = try await create(task)
        return (made.task, made.created, made.task.status == .queued ? try await queuePosition(of: made.task.id) : nil)
    }

    /// The most recently finished succeeded tasks, newest first, for throughput estimates.
    public func recentCompletions(limit: Int) async throws -> [TaskRecord] {
        try await recentlyFinished(.succeeded, limit: limit)
    }

    /// The unfiltered claim: ``claim(worker:capacity:leaseSeconds:filter:)`` with an empty filter.
    public func claim(worker: String, capacity: Int, leaseSeconds: Double) async throws -> [TaskRecord] {
        try await claim(worker: worker, capacity: capacity, leaseSeconds: leaseSeconds, filter: ClaimFilter())
    }
}

/// One page of ``TaskStore/list(userID:status:limit:after:)``.
public struct TaskPage: Sendable, Hashable {
    /// The tasks, newest first.
    public var tasks: [TaskRecord]
    /// Pass to the next call; `nil` on the last page.
    public var nextCursor: TaskID?

    /// A page of `tasks`, continued at `nextCursor`.
    package init(tasks: [TaskRecord], nextCursor: TaskID?) {
        self.tasks = tasks
        self.nextCursor = nextCursor
    }
}

/// What a lease holder learns on heartbeat and progress.
public enum LeaseStatus: Sendable, Hashable {
    /// Keep going.
    case active
    /// The user cancelled: stop at the next step and call ``TaskStore/confirmCancelled(_:token:)``.
    case cancelRequested
}

/// Queue policy shared by every store.
public struct QueuePolicy: Sendable, Hashable {
    /// Retries and backoff.
    public var retry: RetryPolicy
    /// Lane weights, P0 first. Default 4, 3, 2, 1.
    public var laneWeights: [Int]
    /// Waiting this long raises a task one lane. Default 600 s (10 minutes); 0 disables aging.
    public var agingSeconds: Double

    /// Creates a policy; defaults as documented on each property.
    public init(retry: RetryPolicy = RetryPolicy(), laneWeights: [Int] = [4, 3, 2, 1], agingSeconds: Double = 600) {
        self.retry = retry
        self.laneWeights = laneWeights
        self.agingSeconds = agingSeconds
    }
}
