import Metrics
import Synchronization

/// What the batch scheduler did, exported through swift-metrics (`videogenx_batch_steps_total`,
/// `videogenx_preemptions_total`, …) and readable in process by benchmarks and logs.
public final class SchedulerCounters: Sendable {
    /// Sampler steps run by batches.
    public let batchSteps = ReadableCounter(label: "videogenx_batch_steps_total")
    /// Tasks in those steps, summed (mean batch size = this / ``batchSteps``).
    public let taskSteps = ReadableCounter(label: "videogenx_task_steps_total")
    /// Tasks finished.
    public let finishedTasks = ReadableCounter(label: nil)
    /// Times running work was stopped for a P0 task (one task swapped out, or a whole batch).
    public let preemptions = ReadableCounter(label: "videogenx_preemptions_total")
    /// Batches released because their device went offline or hung (alert-worthy).
    public let deviceFaults = ReadableCounter(label: "videogenx_device_faults_total")
    /// Batches failed by the model or the device (retried per the store's contract); exported by
    /// model as `videogenx_inference_errors_total`.
    public let failedBatches = ReadableCounter(label: nil)
    /// Batch starts and sampler steps at which the memory guard held a batch below its cap.
    public let memorySplits = ReadableCounter(label: "videogenx_memory_splits_total")

    /// Zero counts, created in the current metrics factory.
    public init() {}
}

/// A swift-metrics counter whose total this process can also read (the exporter keeps the
/// exported value; benchmarks and logs need the number without a metrics backend).
public final class ReadableCounter: Sendable {
    private let total = Atomic<Int>(0)
    private let counter: Counter?

    /// A counter exported as `label`, or only kept in process when `nil`.
    public init(label: String?) {
        counter = label.map { Counter(label: $0) }
    }

    /// Adds `amount`.
    public func add(_ amount: Int = 1) {
        total.add(amount, ordering: .relaxed)
        counter?.increment(by: amount)
    }

    /// The total so far.
    public var value: Int { total.load(ordering: .relaxed) }
}
