import VideoGenXCore

/// How device loops batch, preempt and watch their devices (DESIGN §5). Defaults are the seed's.
public struct BatchingConfiguration: Sendable, Hashable {
    /// The worker's name in leases; each device claims as `<name>/<device>`.
    public var workerName: String
    /// Lease length in seconds; renewed at a third of it while a batch runs. Default 30.
    public var leaseSeconds: Double
    /// Whether tasks are batched at all (off: every batch holds one task). Default on.
    public var batching: Bool
    /// How long a device waits for more tasks of the first task's batch key. Default 0.1 s.
    public var windowSeconds: Double
    /// The model's largest batch, 1–8. Default 8.
    public var maxBatchSize: Int
    /// The cap controller's thresholds.
    public var thresholds: BatchCapController.Thresholds
    /// Which running tasks may make room for a P0 task. Default P1–P3 of every tier.
    public var preemption: PreemptionPolicy
    /// A sampler step running longer than this means the device hung. Default 30 s.
    public var stepWatchdogSeconds: Double
    /// How long a running batch keeps refilling its free slots with tasks of its key; after it,
    /// the batch drains and the device claims by lane order again. Default 30 s.
    public var refillSeconds: Double
    /// Seconds between lease renewals of running tasks; `nil`: a third of the lease. Default `nil`.
    public var heartbeatSeconds: Double?
    /// Shortest time between two progress writes of one task. Default 0.25 s.
    public var progressSeconds: Double = 0.25
    /// On graceful shutdown, how long running batches may go on to finish (nothing new is
    /// claimed or admitted) before they are stopped and released to the queue. Default 0 s.
    public var shutdownGraceSeconds: Double = 0
    /// Longest idle wait between claims when no task was queued (a queued task rings at once). Default 0.25 s.
    public var idlePollSeconds: Double

    /// Creates a configuration; defaults as documented on each property.
    public init(
        workerName: String = "worker", leaseSeconds: Double = 30, batching: Bool = true, windowSeconds: Double = 0.1,
        maxBatchSize: Int = 8, thresholds: BatchCapController.Thresholds = .init(),
        preemption: PreemptionPolicy = PreemptionPolicy(), stepWatchdogSeconds: Double = 30, refillSeconds: Double = 30, idlePollSeconds: Double = 0.25
    ) {
        self.refillSeconds = refillSeconds
        self.workerName = workerName
        self.leaseSeconds = leaseSeconds
        self.batching = batching
        self.windowSeconds = windowSeconds
        self.maxBatchSize = min(8, max(1, maxBatchSize))
        self.thresholds = thresholds
        self.preemption = preemption
        self.stepWatchdogSeconds = stepWatchdogSeconds
        self.idlePollSeconds = idlePollSeconds
    }
}
