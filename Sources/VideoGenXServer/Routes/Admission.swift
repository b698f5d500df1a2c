import HTTPTypes
import VideoGenXCore
import VideoGenXStore

/// Whether a valid submission may enter the queue: the tier's features (403), the caller's
/// pending cap (429; admins are exempt) and the queue-depth cap (503).
struct Admission: Sendable {
    let store: any TaskStore
    let configuration: ServerConfiguration

    /// Returns when `spec` at `priority` is admitted for `identity`.
    /// - Throws: ``APIError`` `forbidden_by_tier`, `too_many_pending` or `queue_full`.
    func admit(_ spec: GenerationSpec, priority: TaskPriority, identity: Identity) async throws {
        let refusals = configuration.policy(for: identity.tier).refusals(for: spec, priority: priority, tier: identity.tier)
        guard refusals.isEmpty else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: refusals.map(\.description).joined(separator: "; "), errors: refusals)
        }
        let pending = identity.tier == .admin ? 0 : try await store.queuedCount(userID: identity.userID)
        guard pending < configuration.maxPendingPerUser else {
            throw APIError(
                .tooManyRequests, code: "too_many_pending",
                message: "you have \(pending) tasks pending, the most allowed at once is \(configuration.maxPendingPerUser); wait for some to start",
                headers: [.retryAfter: "10"]
            )
        }
        let depth = try await store.queuedCount(userID: nil)
        guard depth < configuration.maxQueueDepth else {
            throw APIError(.serviceUnavailable, code: "queue_full", message: "the queue is full (\(depth) tasks); retry later", headers: [.retryAfter: "30"])
        }
    }
}
