import HTTPTypes
import VideoGenXCore
import VideoGenXStore

/// Whether a valid submission may enter the queue: the tier's features (403), the caller's
/// pending cap (429; admins are exempt) and the queue-depth cap (503).
struct Admission: Sendable {
    let configuration: ServerConfiguration

    /// Returns when `spec` at `priority` is admitted for `identity`. The per-user pending cap and
    /// the queue-depth cap are not checked here but by the store, in the insert's transaction
    /// (``cap(for:)``, ``ServerConfiguration/maxQueueDepth``), so that concurrent submissions
    /// cannot pass them together and no read is spent on them.
    /// - Throws: ``APIError`` `forbidden_by_tier`.
    func admit(_ spec: GenerationSpec, priority: TaskPriority, identity: Identity) throws {
        let refusals = configuration.policy(for: identity.tier).refusals(for: spec, priority: priority, tier: identity.tier)
        guard refusals.isEmpty else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: refusals.map(\.description).joined(separator: "; "), errors: refusals)
        }
    }

    /// The pending-task cap the store enforces for `identity` (none for admin keys).
    func cap(for identity: Identity) -> Int? {
        identity.tier == .admin ? nil : configuration.maxPendingPerUser
    }

    /// `error` as the API answers it: the store's pending cap becomes `429 too_many_pending`, its
    /// queue-depth cap `503 queue_full`.
    static func refusal(_ error: StoreError) -> APIError? {
        switch error.code {
        case .limitExceeded: APIError(.tooManyRequests, code: "too_many_pending", message: error.message, headers: [.retryAfter: "10"])
        case .queueFull: APIError(.serviceUnavailable, code: "queue_full", message: error.message, headers: [.retryAfter: "30"])
        default: nil
        }
    }
}
