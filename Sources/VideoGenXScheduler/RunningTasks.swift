import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// The tasks a worker is running, with the pause signal of each: what preemption chooses from.
final class RunningTasks: Sendable {
    private struct Entry {
        var priority: TaskPriority
        var pause: PauseSignal
    }

    private let entries = Mutex<[TaskID: Entry]>([:])

    /// Registers `task` and returns the signal that pauses it.
    func add(_ task: TaskRecord) -> PauseSignal {
        add(task.id, priority: task.priority)
    }

    /// Registers a running unit (a task, or a batch under its first task's id) at `priority`
    /// (a batch's most urgent) and returns the signal that pauses it.
    func add(_ id: TaskID, priority: TaskPriority) -> PauseSignal {
        let signal = PauseSignal()
        entries.withLock { $0[id] = Entry(priority: priority, pause: signal) }
        return signal
    }

    /// Forgets `id`.
    func remove(_ id: TaskID) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }

    /// Asks the least urgent running task whose priority is in `preemptible` to pause, unless a
    /// pause is already pending; returns the task asked, or `nil`.
    func preemptLeastUrgent(preemptible: Set<Int>) -> TaskID? {
        entries.withLock { entries in
            guard !entries.values.contains(where: { $0.pause.isRequested }) else { return nil }
            let victim = entries
                .filter { preemptible.contains($0.value.priority.rawValue) && $0.value.priority != .p0 }
                .max { ($0.value.priority.rawValue, $0.key.rawValue) < ($1.value.priority.rawValue, $1.key.rawValue) }
            victim?.value.pause.request()
            return victim?.key
        }
    }
}
