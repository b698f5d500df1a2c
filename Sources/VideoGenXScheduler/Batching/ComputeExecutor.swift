import Dispatch

/// Runs CPU-bound model work — a member's sampler step, which holds its thread for the whole step
/// (synchronous model code: the procedural denoiser, an ONNX Runtime run) — on threads of its own
/// outside Swift's cooperative pool, so that a long step never starves the HTTP handlers, store
/// calls and timers sharing the process (`serve` runs the API and the worker together; the
/// cooperative pool has one thread per core).
final class ComputeExecutor: TaskExecutor {
    /// The process's compute threads.
    static let shared = ComputeExecutor()

    private let queue = DispatchQueue(label: "videogenx.compute", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async {
            job.runSynchronously(on: executor)
        }
    }
}
