import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// The tasks a worker is running, with the pause signal of each: what preemption chooses from.
final class RunningTasks: Sendable {
    private struct Entry {
        var priority: TaskPriority
        var tier: Tier?
        var pause: PauseSignal
    }

    private let entries = Mutex<[TaskID: Entry]>([:])

    /// Registers `task` and returns the signal that pauses it.
    func add(_ task: TaskRecord) -> PauseSignal {
        let signal = PauseSignal()
        entries.withLock { $0[task.id] = Entry(priority: task.priority, tier: task.tier, pause: signal) }
        return signal
    }

    /// Forgets `id`.
    func remove(_ id: TaskID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Asks the least urgent running task that `policy` lets be paused to pause, unless a pause
    /// is already pending; returns the task asked, or `nil`.
    func preemptLeastUrgent(policy: PreemptionPolicy) -> TaskID? {
        entries.withLock { entries in
            guard !entries.values.contains(where: { $0.pause.isRequested }) else { return nil }
            let victim = entries
                .filter { policy.allows($0.value.priority, tier: $0.value.tier) }
                .max { ($0.value.priority.rawValue, $0.key.rawValue) < ($1.value.priority.rawValue, $1.key.rawValue) }
            victim?.value.pause.request()
            return victim?.key
        }
    }
}
