import VideoGenXCore

/// The task store's operations, as the `op` label of its metrics.
enum StoreOperation: String, CaseIterable, Sendable {
    case create, get, list, claim, heartbeat, progress, complete, fail, release, cancel
    case confirmCancelled = "confirm_cancelled", reapExpiredLeases = "reap_expired_leases"
    case queuePosition = "queue_position", queuedCount = "queued_count", queueDepth = "queue_depth"
    case hasClaimable = "has_claimable", recentlyFinished = "recently_finished"
    case unexpiredResults = "unexpired_results", markResultExpired = "mark_result_expired"
    case claimDueCallbacks = "claim_due_callbacks", recordCallbackAttempt = "record_callback_attempt", callbacks
}

extension OperationMetrics {
    /// `videogenx_store_operation_duration_seconds{op}` and `videogenx_store_errors_total{op}`.
    static func taskStore() -> OperationMetrics {
        OperationMetrics(
            duration: "videogenx_store_operation_duration_seconds", errors: "videogenx_store_errors_total",
            operations: StoreOperation.allCases.map(\.rawValue)
        )
    }

    /// Runs `body` measured as `operation`.
    func measure<Result: Sendable>(_ operation: StoreOperation, _ body: () async throws -> Result) async throws -> Result {
        try await measure(operation.rawValue, body)
    }
}
