import Dispatch

/// Where synchronous, CPU-bound model work runs: a sampler step (the procedural denoiser, an
/// ONNX Runtime session run) and the decoding of a finished window. These hold their thread for
/// the whole call, so they run on dispatch threads outside Swift's cooperative pool (one thread
/// per core): the HTTP handlers, store calls and timers sharing the process (`serve` runs the
/// API and the worker together) keep the cooperative threads, and the OS shares the cores
/// between both. Awaiting a call is the back-pressure; nothing queues unboundedly in memory.
public enum ComputeThreads {
    private static let queue = DispatchQueue(label: "videogenx.compute", qos: .userInitiated, attributes: .concurrent)

    /// Runs `work` on a compute thread and returns its result.
    /// - Throws: `CancellationError` when the calling task is already cancelled (the work then
    ///   never starts); whatever `work` throws.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
