import Foundation
import Hummingbird
import NIOCore
import VideoGenXObjects
import VideoGenXStore

/// The routes no key guards and the load shedder never refuses: `/healthz`, `/readyz`,
/// `/openapi.yaml` and `/metrics` (when this process exports metrics).
struct HealthRoutes {
    let store: any TaskStore
    let objects: any ObjectStore
    let workerProblem: @Sendable () -> String?
    let metrics: MetricsExposition?

    /// The routes, for `router.addRoutes`.
    func collection() -> RouteCollection<APIRequestContext> {
        let routes = RouteCollection(context: APIRequestContext.self)
        routes.get("/healthz") { _, _ in Envelope.response(status: .ok, data: ["status": "up"]) }
        routes.get("/readyz") { [store, objects, workerProblem] _, _ in
            await readiness(store: store, objects: objects, workerProblem: workerProblem)
        }
        routes.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: Self.openAPIDocument)))
        }
        if let metrics {
            routes.get("/metrics") { _, _ in await metrics.response() }
        }
        return routes
    }

    /// The OpenAPI 3.1 description of this API (``OpenAPIDocument``).
    static let openAPIDocument = Array(OpenAPIDocument.yaml.utf8)
}
