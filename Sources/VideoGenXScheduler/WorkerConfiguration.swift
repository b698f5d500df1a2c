import Foundation
import VideoGenXCore
import VideoGenXInference

/// Settings of the in-process worker. Every value is documented in the README's configuration
/// table with its default.
public struct WorkerConfiguration: Sendable {
    /// Name recorded as the lease owner. Default `worker-<pid>`.
    public var name: String
    /// Lease length in seconds. Default 30.
    public var leaseSeconds: Double
    /// Seconds between heartbeats (must be well under the lease). Default 10.
    public var heartbeatSeconds: Double
    /// Seconds between claims while the queue is empty. Default 0.5.
    public var pollSeconds: Double
    /// Seconds between sweeps for expired leases. Default 5.
    public var reapSeconds: Double
    /// Shortest time between two progress writes of one task (≈ 4 per second). Default 0.25.
    public var progressIntervalSeconds: Double
    /// Where videos are encoded before upload. Default the system temporary directory.
    public var workDirectory: URL
    /// Most tasks a device runs at once, as one continuous batch of one batch key (1–8; the
    /// batch cap adapts below it). Default 4.
    public var capacity: Int
    /// How long a device waits for more tasks of its first task's batch key before it starts
    /// the batch (`worker.batch_window_ms`). Default 0.1 s.
    public var batchWindowSeconds: Double = 0.1
    /// A batch step (every task's sampler step and the frames it finished) running longer than
    /// this means the device hung: its tasks are released and it is taken out of service
    /// (`worker.step_watchdog_seconds`). Default 30 s.
    public var stepWatchdogSeconds: Double = 30
    /// A task still opening after this long — fetching its assets, taking its model, starting
    /// its encoder — fails its attempt (`open_timeout`, retried) and leaves the batch, whatever
    /// holds it (`worker.open_timeout_seconds`). Default 600 s.
    public var openTimeoutSeconds: Double = 600
    /// A task not finished this long after its last sampler step — ffmpeg ending the file, the
    /// probe and thumbnail, the upload, the completion — fails its attempt (`finish_timeout`,
    /// retried) and leaves the batch, whatever holds it (`worker.finish_timeout_seconds`).
    /// Default 1800 s.
    public var finishTimeoutSeconds: Double = 1800
    /// On graceful shutdown, how long running tasks may go on to finish before they are stopped
    /// and released to the queue. Default 30 s.
    public var shutdownGraceSeconds: Double
    /// The devices to run on (`worker.devices`). Default one `cpu`. GPUs are checked at start-up
    /// (NVML must load and know the index); the procedural model runs on the CPU whatever is listed.
    public var devices: [ComputeDevice] = [.cpu]
    /// The model that runs a task's last attempt after its plain retries failed
    /// (`worker.fallback_model`). Default `nil`: the last attempt runs the primary model again.
    public var fallbackModel: String?
    /// Priorities whose running tasks may be paused at their next sampler step for a claimable
    /// P0 task when the worker is full (`worker.preemptible_priorities`). Default P1–P3; empty
    /// disables preemption.
    public var preemptiblePriorities: Set<Int> = [1, 2, 3]
    /// Tiers whose running tasks may be paused so (`worker.preemptible_tiers`). Default every
    /// tier; empty disables preemption.
    public var preemptibleTiers: Set<Tier> = Set(Tier.allCases)

    /// The scheduler settings these make: leases, window, cap, preemption, progress, grace.
    public var batching: BatchingConfiguration {
        var batching = BatchingConfiguration(
            workerName: name, leaseSeconds: leaseSeconds, batching: capacity > 1, windowSeconds: batchWindowSeconds, maxBatchSize: capacity,
            preemption: preemption, stepWatchdogSeconds: stepWatchdogSeconds, idlePollSeconds: pollSeconds
        )
        batching.heartbeatSeconds = heartbeatSeconds
        batching.progressSeconds = progressIntervalSeconds
        batching.shutdownGraceSeconds = shutdownGraceSeconds
        return batching
    }

    /// The preemption rule these settings make.
    public var preemption: PreemptionPolicy {
        PreemptionPolicy(priorities: Set(preemptiblePriorities.compactMap(TaskPriority.init(rawValue:))), tiers: preemptibleTiers)
    }

    /// Creates a configuration; defaults as documented on each property.
    public init(
        name: String = "worker-\(ProcessInfo.processInfo.processIdentifier)", leaseSeconds: Double = 30,
        heartbeatSeconds: Double = 10, pollSeconds: Double = 0.5, reapSeconds: Double = 5,
        progressIntervalSeconds: Double = 0.25, workDirectory: URL = FileManager.default.temporaryDirectory,
        capacity: Int = 4, shutdownGraceSeconds: Double = 30
    ) {
        self.capacity = min(8, max(1, capacity))
        self.shutdownGraceSeconds = shutdownGraceSeconds
        self.name = name
        self.leaseSeconds = leaseSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.pollSeconds = pollSeconds
        self.reapSeconds = reapSeconds
        self.progressIntervalSeconds = progressIntervalSeconds
        self.workDirectory = workDirectory
    }
}
