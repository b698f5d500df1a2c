import HTTPTypes
import Hummingbird
import VideoGenXCore
import VideoGenXStore

/// The routes about the installation rather than one task, behind the access middleware:
/// `GET /api/v1/admin/devices` (admin tier), `GET /api/v1/models` and
/// `GET /api/v1/webhooks/secret`.
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
        routes.get("/models") { [configuration] _, _ in ModelRoutes.list(configuration.models) }
        routes.get("/webhooks/secret") { _, context in try webhookSecret(userID: context.userID) }
        return routes
    }

    /// `GET /api/v1/admin/devices`: the worker's devices and the queue depth, admin tier only.
    private func devices(context: APIRequestContext) async throws -> Response {
        guard context.identity.tier == .admin else {
            throw APIError(.forbidden, code: "forbidden_by_tier", message: "the admin routes need an admin key, not a \(context.identity.tier.rawValue) one")
        }
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

    /// The caller's webhook secret (`whsec_…`), to verify `webhook-signature` with.
    private func webhookSecret(userID: String) throws -> Response {
        guard let webhookSecrets else {
            throw APIError(.notFound, code: "not_found", message: "callbacks are not enabled on this server")
        }
        return Envelope.response(status: .ok, data: ["secret": webhookSecrets.signer(for: userID).encoded, "scheme": "standard-webhooks-v1"])
    }
}
