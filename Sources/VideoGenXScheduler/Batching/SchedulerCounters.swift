import Synchronization

/// Counts of what the batch scheduler did, for logs, benchmarks and the metrics exporter.
public final class SchedulerCounters: Sendable {
    /// Batches run to the end.
    public let batches = Atomic<Int>(0)
    /// Tasks in those batches.
    public let batchedTasks = Atomic<Int>(0)
    /// Batches paused for a P0 task.
    public let preemptions = Atomic<Int>(0)
    /// Batches released because their device went offline or hung (alert-worthy).
    public let deviceFaults = Atomic<Int>(0)
    /// Batches failed by the model or the device (retried per the store's contract).
    public let failedBatches = Atomic<Int>(0)

    /// Zero counts.
    public init() {}

    /// Mean tasks per finished batch (0 before the first).
    public var meanBatchSize: Double {
        let count = batches.load(ordering: .relaxed)
        return count == 0 ? 0 : Double(batchedTasks.load(ordering: .relaxed)) / Double(count)
    }
}
