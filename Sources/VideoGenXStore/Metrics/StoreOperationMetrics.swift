import Metrics

/// The task store's operations, as the `op` label of its metrics.
enum StoreOperation: String, CaseIterable, Sendable {
    case create, get, list, claim, heartbeat, progress, complete, fail, release, cancel
    case confirmCancelled = "confirm_cancelled", reapExpiredLeases = "reap_expired_leases"
    case queuePosition = "queue_position", queuedCount = "queued_count", queueDepth = "queue_depth"
    case hasClaimable = "has_claimable", recentCompletions = "recent_completions"
    case unexpiredResults = "unexpired_results", markResultExpired = "mark_result_expired"
    case claimDueCallbacks = "claim_due_callbacks", recordCallbackAttempt = "record_callback_attempt", callbacks
}

/// A latency histogram and an error counter per ``StoreOperation``, made once (a lookup in the
/// metrics registry per call would cost more than a cached status read).
struct StoreOperationMetrics: Sendable {
    private let timers: [StoreOperation: Timer]
    private let errors: [StoreOperation: Counter]

    init() {
        var timers: [StoreOperation: Timer] = [:]
        var errors: [StoreOperation: Counter] = [:]
        for operation in StoreOperation.allCases {
            timers[operation] = Timer(label: "videogenx_store_operation_duration_seconds", dimensions: [("op", operation.rawValue)])
            errors[operation] = Counter(label: "videogenx_store_errors_total", dimensions: [("op", operation.rawValue)])
        }
        self.timers = timers
        self.errors = errors
    }

    /// Runs `body`, recording its duration under `operation`, and its error if it throws.
    func measure<Result: Sendable>(_ operation: StoreOperation, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        defer { timers[operation]?.record(duration: start.duration(to: .now)) }
        do {
            return try await body()
        } catch {
            errors[operation]?.increment()
            throw error
        }
    }
}
