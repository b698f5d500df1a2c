import Hummingbird
import VideoGenXObjects
import VideoGenXStore

/// The HTTP surface of a `worker` process (on `worker.http_port`): `/healthz` (the process
/// answers) and `/readyz` (its task store and object store answer and its devices are in
/// service; `503` with the reasons otherwise). No API routes.
public enum WorkerHealthRouter {
    /// The router; `workerRunning` tells whether the worker still has a device in service.
    public static func build(
        store: any TaskStore, objects: any ObjectStore, workerRunning: @escaping @Sendable () -> Bool
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in Envelope.response(status: .ok, data: ["status": "up"]) }
        router.get("/readyz") { _, _ in await readiness(store: store, objects: objects, workerRunning: workerRunning) }
        return router
    }
}
