import Synchronization

/// Counts of what the batch scheduler did, for logs, benchmarks and the metrics exporter.
public final class SchedulerCounters: Sendable {
    /// Sampler steps run by batches.
    public let batchSteps = Atomic<Int>(0)
    /// Tasks in those steps, summed (mean batch size = this / ``batchSteps``).
    public let taskSteps = Atomic<Int>(0)
    /// Tasks finished.
    public let finishedTasks = Atomic<Int>(0)
    /// Times running work was stopped for a P0 task (one task swapped out, or a whole batch).
    public let preemptions = Atomic<Int>(0)
    /// Batches released because their device went offline or hung (alert-worthy).
    public let deviceFaults = Atomic<Int>(0)
    /// Batches failed by the model or the device (retried per the store's contract).
    public let failedBatches = Atomic<Int>(0)

    /// Batch starts and sampler steps at which the memory guard held a batch below its cap.
    public let memorySplits = Atomic<Int>(0)

    /// Zero counts.
    public init() {}
}
