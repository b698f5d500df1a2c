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

/// `/readyz` of every role: the task store and the object store answer and, where this process
/// runs a worker, it has a device in service; `503 not_ready` listing what is wrong otherwise.
func readiness(store: any TaskStore, objects: any ObjectStore, workerRunning: () -> Bool) async -> Response {
    var problems: [String] = []
    do { _ = try await store.recentCompletions(limit: 1) } catch { problems.append("task store: \(error)") }
    do { _ = try await objects.head(try ObjectKey("readyz-probe")) } catch { problems.append("object store: \(error)") }
    if !workerRunning() { problems.append("worker: not running") }
    guard problems.isEmpty else {
        return Envelope.response(
            status: .serviceUnavailable, code: .error("not_ready"), message: problems.joined(separator: "; "), data: Optional<String>.none
        )
    }
    return Envelope.response(status: .ok, data: ["status": "ready"])
}
