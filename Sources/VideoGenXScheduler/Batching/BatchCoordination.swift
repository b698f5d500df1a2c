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
    /// Processing tasks whose user asked to cancel them, as the store's events (from any
    /// process) told: the device running one stops it at its next step boundary.
    private let cancels = Mutex<Set<TaskID>>([])

    /// Whether the loops must claim nothing now (the upload spool is full).
    let claimsHeld: @Sendable () -> Bool

    init(counters: SchedulerCounters, claimsHeld: @escaping @Sendable () -> Bool = { false }) {
        self.counters = counters
        self.claimsHeld = claimsHeld
    }

    /// Takes `device` out of service until the process restarts (it hung).
    func quarantine(_ device: String) {
        _ = quarantined.withLock { $0.insert(device) }
    }

    /// Notes that the user of processing task `id` asked to cancel it.
    func noteCancel(_ id: TaskID) {
        _ = cancels.withLock { $0.insert(id) }
    }

    /// The noted cancels among `ids`, forgotten as they are taken.
    func takeCancels(among ids: Set<TaskID>) -> Set<TaskID> {
        cancels.withLock { cancels in
            let taken = cancels.intersection(ids)
            cancels.subtract(taken)
            // Cancels of tasks no device here runs (another worker's) would pile up: keep few.
            if cancels.count > 10_000 { cancels.removeAll() }
            return taken
        }
    }

    /// Whether `device` was taken out of service.
    func isQuarantined(_ device: String) -> Bool {
        quarantined.withLock { $0.contains(device) }
    }
}
