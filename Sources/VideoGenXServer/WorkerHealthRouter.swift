import Hummingbird
import VideoGenXObjects
import VideoGenXStore

/// The HTTP surface of a `worker` process (on `worker.http_port`): `/healthz` (the process
/// answers), `/readyz` (its task store and object store answer and its devices are in
/// service; `503` with the reasons otherwise) and `/metrics`. No API routes.
public enum WorkerHealthRouter {
    /// The router; `workerProblem` tells why the worker is not ready (no device in service, its
    /// upload spool full), `nil` when it is; `metrics` renders `/metrics` (none when `nil`).
    public static func build(
        store: any TaskStore, objects: any ObjectStore, metrics: MetricsExposition? = nil, workerProblem: @escaping @Sendable () -> String?
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        router.get("/healthz") { _, _ in Envelope.response(status: .ok, data: ["status": "up"]) }
        router.get("/readyz") { _, _ in await readiness(store: store, objects: objects, workerProblem: workerProblem) }
        if let metrics {
            router.get("/metrics") { _, _ in await metrics.response() }
        }
        return router
    }
}
