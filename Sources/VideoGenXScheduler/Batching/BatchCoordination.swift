import Synchronization
import VideoGenXCore

/// What the device loops of one scheduler share: the running batches (preemption picks from
/// them), a count of queued-task events (a loop refills free slots only when work may have
/// arrived), the devices taken out for hanging, and the counters.
final class BatchCoordination: Sendable {
    /// Running batches and preemption requests.
    let batches = RunningBatches()
    /// Tasks queued (created or released) since start, as the store reported them.
    let queuedEvents = Atomic<Int>(0)
    /// What the scheduler did.
    let counters: SchedulerCounters
    private let quarantined = Mutex<Set<String>>([])

    init(counters: SchedulerCounters) {
        self.counters = counters
    }

    /// Takes `device` out of service until the process restarts (it hung).
    func quarantine(_ device: String) {
        _ = quarantined.withLock { $0.insert(device) }
    }

    /// Whether `device` was taken out of service.
    func isQuarantined(_ device: String) -> Bool {
        quarantined.withLock { $0.contains(device) }
    }
}
