import HTTPTypes
import Hummingbird
import VideoGenXCore
import VideoGenXStore

/// The routes about the installation rather than one task, behind the access middleware:
/// `GET /api/v1/admin/devices` and `GET /api/v1/admin/queue` (admin tier), `GET /api/v1/models`
/// and `GET /api/v1/webhooks/secret`.
struct AdminRoutes {
    let store: any TaskStore
    let configuration: ServerConfiguration
    let webhookSecrets: WebhookSecrets?
    let deviceStatuses: (@Sendable () -> [DeviceStatus])?
    let modelStatuses: @Sendable () -> [ModelStatus]
    let access: AccessMiddleware

    /// The routes, for `router.addRoutes(_:atPath: "/api/v1")`.
    func collection() -> RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self).add(middleware: access)
        routes.get("/admin/devices") { _, context in try await devices(context: context) }
        routes.get("/admin/queue") { _, context in try await queue(context: context) }
        routes.get("/models") { [configuration] _, _ in ModelRoutes.list(configuration.models) }
        routes.get("/webhooks/secret") { _, context in try webhookSecret(userID: context.userID) }
        return routes
    }

    /// `GET /api/v1/admin/devices`: the worker's devices and the queue depth, admin tier only.
    private func devices(context: APIRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        guard let deviceStatuses else {
            throw APIError(.notFound, code: "not_found", message: "this server runs no worker, so it has no devices")
        }
        struct DevicesView: Encodable {
            var devices: [DeviceStatus]
            var models: [ModelStatus]
            var queuedTasks: Int
            enum CodingKeys: String, CodingKey { case devices, models, queuedTasks = "queued_tasks" }
        }
        let queued = try await store.queuedCount(userID: nil)
        return Envelope.response(status: .ok, data: DevicesView(devices: deviceStatuses(), models: modelStatuses(), queuedTasks: queued))
    }

    /// `GET /api/v1/admin/queue`: queued tasks per priority lane and the 20 most recent
    /// failures with their reasons, admin tier only; answered by any api node (no worker needed).
    private func queue(context: APIRequestContext) async throws -> Response {
        try Self.requireAdmin(context)
        struct Failure: Encodable {
            var taskID: String
            var userID: String
            var finishedAt: String?
            var attempts: Int
            var code: String
            var message: String
            enum CodingKeys: String, CodingKey {
                case taskID = "task_id", userID = "user_id", finishedAt = "finished_at", attempts, code, message
            }
        }
        struct QueueView: Encodable {
            var queuedTasks: Int
            var queueDepth: [String: Int]
            var recentFailures: [Failure]
            enum CodingKeys: String, CodingKey {
                case queuedTasks = "queued_tasks", queueDepth = "queue_depth", recentFailures = "recent_failures"
            }
        }
        let depth = try await store.queueDepth()
        let failures = try await store.recentlyFinished(.failed, limit: 20).map { task in
            Failure(
                taskID: task.id.rawValue, userID: task.userID, finishedAt: task.finishedAt.map(TaskView.timestamp),
                attempts: task.attempt, code: task.error?.code ?? "unknown", message: task.error?.message ?? ""
            )
        }
        return Envelope.response(status: .ok, data: QueueView(
            queuedTasks: depth.values.reduce(0, +),
            queueDepth: Dictionary(uniqueKeysWithValues: depth.map { ("P\($0.key.rawValue)", $0.value) }),
            recentFailures: failures
        ))
    }

    private static func requireAdmin(_ context: APIRequestContext) throws {
        guard context.identity.tier == .admin else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: "the admin routes need an admin key, not a \(context.identity.tier.rawValue) one")
        }
    }

    /// The caller's webhook secret (`whsec_…`), to verify `webhook-signature` with.
    private func webhookSecret(userID: String) throws -> Response {
        guard let webhookSecrets else {
            throw APIError(.notFound, code: "not_found", message: "callbacks are not enabled on this server")
        }
        return Envelope.response(status: .ok, data: ["secret": webhookSecrets.signer(for: userID).encoded, "scheme": "standard-webhooks-v1"])
    }
}
