import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Tracing
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// The HTTP API of DESIGN §9 on a ``TaskStore`` and an ``ObjectStore``: submit, inspect, list
/// and cancel tasks, fetch results (with HTTP ranges, through signed expiring URLs), health and
/// metrics. It assembles the route collections (``TaskRoutes``, ``ObjectRoutes``,
/// ``AdminRoutes``, ``HealthRoutes``) behind the metrics and error middleware. The server never
/// touches SQL or ffmpeg.
public struct VideoAPI: Sendable {
    let store: any TaskStore
    let objects: any ObjectStore
    let signer: URLSigner
    let configuration: ServerConfiguration
    let workerProblem: @Sendable () -> String?
    let webhookSecrets: WebhookSecrets?
    let deviceStatuses: (@Sendable () -> [DeviceStatus])?
    let modelStatuses: @Sendable () -> [ModelStatus]
    let access: AccessMiddleware
    let metrics: MetricsExposition?
    let statusCache: TaskStatusCache?

    /// Creates the API.
    ///
    /// - Parameters:
    ///   - workerProblem: why the worker is not ready (not running, spool full), `nil` when it is, for `/readyz`.
    ///   - webhookSecrets: the users' webhook secrets, shown at `GET /api/v1/webhooks/secret`;
    ///     `nil` refuses `callback_url` (no dispatcher runs).
    ///   - authenticator: checks API-key signatures on every `/api/v1` route; `nil` runs without
    ///     authentication, every caller being ``Identity/local`` (route tests only).
    ///   - rateLimiter: where the per-key rate limits are kept. Default in this process.
    ///   - clock: time of the rate limiter. Default the system clock.
    ///   - deviceStatuses: the worker's devices for `GET /api/v1/admin/devices`; `nil` when this
    ///     process runs no worker (the route answers 404).
    ///   - modelStatuses: the worker's warm model cache, shown next to the devices.
    ///   - metrics: what `GET /metrics` renders; `nil` serves no `/metrics` (route tests).
    public init(
        store: any TaskStore, objects: any ObjectStore, signer: URLSigner, configuration: ServerConfiguration = ServerConfiguration(),
        webhookSecrets: WebhookSecrets? = nil, authenticator: APIKeyAuthenticator? = nil,
        rateLimiter: any RateLimiter = InMemoryRateLimiter(), clock: any WallClock = SystemWallClock(),
        workerProblem: @escaping @Sendable () -> String? = { nil }, deviceStatuses: (@Sendable () -> [DeviceStatus])? = nil,
        modelStatuses: @escaping @Sendable () -> [ModelStatus] = { [] }, metrics: MetricsExposition? = nil,
        statusCache: TaskStatusCache? = nil
    ) {
        self.metrics = metrics
        self.statusCache = statusCache
        self.deviceStatuses = deviceStatuses
        self.modelStatuses = modelStatuses
        access = AccessMiddleware(
            shedder: LoadShedder(limit: configuration.maxInFlight), authenticator: authenticator, limiter: rateLimiter,
            tiers: configuration.tiers, clock: clock
        )
        self.webhookSecrets = webhookSecrets
        self.store = store
        self.objects = objects
        self.signer = signer
        self.configuration = configuration
        self.workerProblem = workerProblem
    }

    /// The router with every route, the metrics and tracing middleware (outermost, so they see
    /// every answer's final status; the tracing one honours an incoming `traceparent` and
    /// redacts URL signatures) and the error middleware.
    public func buildRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        Self.addTracing(InstrumentationSystem.tracer, to: router)
        router.add(middleware: APIErrorMiddleware())
        router.addRoutes(HealthRoutes(store: store, objects: objects, workerProblem: workerProblem, metrics: metrics).collection())
        router.addRoutes(ConsoleRoutes().collection())
        router.addRoutes(
            TaskRoutes(
                store: store, objects: objects, configuration: configuration, callbacksEnabled: webhookSecrets != nil, access: access,
                statusCache: statusCache
            ).collection(),
            atPath: "/api/v1/video"
        )
        router.addRoutes(
            AdminRoutes(
                store: store, configuration: configuration, webhookSecrets: webhookSecrets, deviceStatuses: deviceStatuses,
                modelStatuses: modelStatuses, access: access
            ).collection(),
            atPath: "/api/v1"
        )
        router.addRoutes(ObjectRoutes(objects: objects, signer: signer).collection(), atPath: "/api/v1/objects")
        return router
    }

    /// Adds the request tracing middleware for the bootstrapped tracer (opened from the existential
    /// once, so each request calls the concrete tracer).
    private static func addTracing<T: Tracer>(_ tracer: T, to router: Router<APIRequestContext>) {
        router.add(middleware: RequestTracingMiddleware(tracer: tracer, redactedQueryParameters: secretQueryParameters))
    }

    /// Query parameters that are credentials (signed URLs, presigned S3 URLs): never recorded in spans.
    static let secretQueryParameters: Set = ["signature", "expires", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token"]
}
