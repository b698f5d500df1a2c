import HTTPTypes
import VideoGenXCore
import VideoGenXStore

/// Whether a valid submission may enter the queue: the tier's features (403), the caller's
/// pending cap (429; admins are exempt) and the queue-depth cap (503).
struct Admission: Sendable {
    let store: any TaskStore
    let configuration: ServerConfiguration

    /// Returns when `spec` at `priority` is admitted for `identity`. The per-user pending cap is
    /// not checked here but by the store, in the insert's transaction (``cap(for:)``), so that
    /// concurrent submissions cannot pass it together.
    /// - Throws: ``APIError`` `forbidden_by_tier` or `queue_full`.
    func admit(_ spec: GenerationSpec, priority: TaskPriority, identity: Identity) async throws {
        let refusals = configuration.policy(for: identity.tier).refusals(for: spec, priority: priority, tier: identity.tier)
        guard refusals.isEmpty else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: refusals.map(\.description).joined(separator: "; "), errors: refusals)
        }
        let depth = try await store.queuedCount(userID: nil)
        guard depth < configuration.maxQueueDepth else {
            throw APIError(.serviceUnavailable, code: "queue_full", message: "the queue is full (\(depth) tasks); retry later", headers: [.retryAfter: "30"])
        }
    }

    /// The pending-task cap the store enforces for `identity` (none for admin keys).
    func cap(for identity: Identity) -> Int? {
        identity.tier == .admin ? nil : configuration.maxPendingPerUser
    }

    /// `error` as the API answers it: the store's pending cap becomes `429 too_many_pending`.
    static func refusal(_ error: StoreError) -> APIError? {
        guard error.code == .limitExceeded else { return nil }
        return APIError(.tooManyRequests, code: "too_many_pending", message: error.message, headers: [.retryAfter: "10"])
    }
}
