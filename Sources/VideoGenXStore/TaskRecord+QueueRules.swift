import Foundation
import VideoGenXCore

/// The queue rules both drivers apply inside their transactions (DESIGN §4): what a failed
/// attempt, a lost lease and a fenced write do to a task. Pure: no I/O, tested through the
/// contract suite on every driver.
extension TaskRecord {
    /// This task if `token` is its current lease; `staleLease` otherwise.
    package func requireLease(_ token: Int64) throws -> TaskRecord {
        guard status == .processing, fencingToken == token else {
            throw StoreError(
                .staleLease,
                "lease \(token) on task \(id) is no longer held (task is \(status.rawValue), current token \(fencingToken))"
            )
        }
        return self
    }

    /// Charges a failed attempt and decides what follows with `policy.retry`: back to the queue
    /// (after the backoff, or at once when `waited` — a lost lease already delayed it), once more
    /// on the fallback, or failed. A non-retryable failure fails at once; a task whose cancel was
    /// requested is cancelled rather than retried.
    ///
    /// - Parameters:
    ///   - unit: jitter source in 0…1 for the backoff.
    ///   - waited: the attempt ended by its lease running out, so no backoff is added.
    package mutating func recordFailedAttempt(
        _ failure: TaskFailure, retryable: Bool, policy: RetryPolicy, unit: Double, waited: Bool, at now: Date
    ) throws {
        attempt += 1
        error = failure
        if cancelRequested {
            try transition(to: .cancelled, at: now)
            return
        }
        guard retryable else {
            try transition(to: .failed, at: now)
            return
        }
        switch policy.decide(failures: attempt, unit: unit) {
        case .retry(let delay):
            try transition(to: .queued, at: now)
            availableAt = waited ? now : now.addingTimeInterval(delay)
        case .retryOnFallback:
            try transition(to: .queued, at: now)
            useFallback = true
            availableAt = now
        case .fail:
            try transition(to: .failed, at: now)
        }
    }

    /// The worker finished the task with `result`: it succeeds, unless its user asked to cancel
    /// it meanwhile (while it was opening, encoding or uploading, after its last step boundary):
    /// then it is cancelled and the result dropped, so a cancel answered `200` always ends in
    /// `cancelled`.
    package mutating func recordCompletion(_ result: TaskResult, at now: Date) throws {
        guard !cancelRequested else {
            try transition(to: .cancelled, at: now)
            return
        }
        self.result = result
        error = nil
        progress = 100
        stage = nil
        try transition(to: .succeeded, at: now)
    }

    /// Gives the task back to the queue uncharged (device lost, preemption), claimable at once.
    package mutating func recordRelease(checkpoint: String?, at now: Date) throws {
        try transition(to: .queued, at: now)
        availableAt = now
        checkpointRef = checkpoint ?? checkpointRef
    }

    /// The worker stopped the task whose cancel was requested: it is cancelled; without a
    /// pending request the call is refused (`illegalTransition`).
    package mutating func recordCancelConfirmed(at now: Date) throws {
        guard cancelRequested else {
            throw StoreError(.illegalTransition, "task \(id) has no pending cancel request")
        }
        try transition(to: .cancelled, at: now)
    }

    /// A user's cancel: a queued task is cancelled at once, a processing one is flagged for its
    /// worker; a finished one is refused.
    package mutating func requestCancel(at now: Date) throws {
        switch status {
        case .processing:
            cancelRequested = true
            updatedAt = now
        case .initialized, .queued:
            try transition(to: .cancelled, at: now)
        case .succeeded, .failed, .cancelled:
            throw StoreError(.illegalTransition, "task \(id) is already \(status.rawValue)")
        }
    }
}

/// The argument checks every driver makes before touching its database.
package enum StoreArguments {
    /// A claim's capacity (1–1000) and lease (positive).
    package static func checkClaim(capacity: Int, leaseSeconds: Double) throws {
        guard capacity >= 1, capacity <= 1000 else {
            throw StoreError(.invalidArgument, "capacity must be 1–1000, got \(capacity)")
        }
        try checkLease(leaseSeconds)
    }

    /// A callback claim's limit and lease (both positive).
    package static func checkCallbackClaim(limit: Int, leaseSeconds: Double) throws {
        guard limit > 0, leaseSeconds > 0 else {
            throw StoreError(.invalidArgument, "limit and lease must be positive, got \(limit) and \(leaseSeconds) s")
        }
    }

    /// A lease length (positive).
    package static func checkLease(_ leaseSeconds: Double) throws {
        guard leaseSeconds > 0 else {
            throw StoreError(.invalidArgument, "lease must be positive, got \(leaseSeconds) s")
        }
    }

    /// A page or read limit (1–1000).
    package static func checkLimit(_ limit: Int) throws {
        guard (1...1000).contains(limit) else {
            throw StoreError(.invalidArgument, "limit must be 1–1000, got \(limit)")
        }
    }

    /// A progress percentage (0–100).
    package static func checkPercent(_ percent: Int) throws {
        guard (0...100).contains(percent) else {
            throw StoreError(.invalidArgument, "percent must be 0–100, got \(percent)")
        }
    }
}

/// The claim's choice among claimable tasks (DESIGN §4): lanes served 4:3:2:1 by
/// ``LaneScheduler``, each task in the lane its age lifts it to, oldest first within a lane.
package struct ClaimPlan: Sendable {
    /// A claimable task, as much of it as ordering needs.
    package struct Candidate: Sendable, Hashable {
        /// Task id.
        package var id: String
        /// Its priority.
        package var priority: TaskPriority
        /// Creation time in Unix milliseconds.
        package var createdAt: Int64

        /// Creates a candidate.
        package init(id: String, priority: TaskPriority, createdAt: Int64) {
            self.id = id
            self.priority = priority
            self.createdAt = createdAt
        }
    }

    /// The chosen ids, in claim order.
    package var picks: [String]
    /// The lane credits after these picks, to store with the claim.
    package var credits: [Int]

    /// Chooses up to `capacity` of `candidates` (the oldest `capacity` claimable tasks of each
    /// priority are enough: aging lifts only a lane's oldest) starting from stored `credits`.
    package init(candidates: [Candidate], capacity: Int, credits: [Int], policy: QueuePolicy, now: Date) {
        var lanes: [[Candidate]] = Array(repeating: [], count: policy.laneWeights.count)
        for candidate in candidates {
            let waited = Double(now.milliseconds - candidate.createdAt) / 1000
            let lane = LaneScheduler.effectiveLane(priority: candidate.priority, waitedSeconds: waited, agingSeconds: policy.agingSeconds)
            lanes[min(lane, lanes.count - 1)].append(candidate)
        }
        for lane in lanes.indices {
            lanes[lane].sort { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
        }
        var scheduler = LaneScheduler(weights: policy.laneWeights, credits: credits)
        var heads = Array(repeating: 0, count: lanes.count)
        var picks: [String] = []
        while picks.count < capacity, let lane = scheduler.next(hasWork: { heads[$0] < lanes[$0].count }) {
            picks.append(lanes[lane][heads[lane]].id)
            heads[lane] += 1
        }
        self.picks = picks
        self.credits = scheduler.credits
    }

    /// Stored credits as text ("c0,c1,c2,c3"), as both drivers keep them.
    package static func parseCredits(_ text: String) -> [Int] {
        text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// ``credits`` as stored text.
    package var creditsText: String { credits.map(String.init).joined(separator: ",") }
}
