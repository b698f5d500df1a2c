import Hummingbird
import VideoGenXObjects
import VideoGenXStore

/// `/readyz` of every role: the task store and the object store answer and, where this process
/// runs a worker, it has a device in service and room in its upload spool (`workerProblem`
/// answers `nil`); `503 not_ready` listing what is wrong otherwise.
func readiness(store: any TaskStore, objects: any ObjectStore, workerProblem: () -> String?) async -> Response {
    var problems: [String] = []
    do { _ = try await store.recentCompletions(limit: 1) } catch { problems.append("task store: \(error)") }
    do { _ = try await objects.head(try ObjectKey("readyz-probe")) } catch { problems.append("object store: \(error)") }
    if let problem = workerProblem() { problems.append(problem) }
    guard problems.isEmpty else {
        return Envelope.response(
            status: .serviceUnavailable, code: .error("not_ready"), message: problems.joined(separator: "; "), data: Optional<String>.none
        )
    }
    return Envelope.response(status: .ok, data: ["status": "ready"])
}
