import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The batch each device is running, as preemption sees it: its least urgent task that the
/// policy lets be paused, and a flag asking the device to make room for a P0 at the next step.
final class RunningBatches: Sendable {
    private struct Entry {
        var leastUrgent: TaskPriority?
        var preemptRequested = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Records what `device` runs now (nothing: idle), as `policy` sees it.
    func update(_ device: String, running tasks: [TaskRecord], policy: PreemptionPolicy) {
        entries.withLock { entries in
            guard !tasks.isEmpty else {
                entries[device] = nil
                return
            }
            let leastUrgent = tasks.filter(policy.allows).map(\.priority).max { $0.rawValue < $1.rawValue }
            entries[device, default: Entry(leastUrgent: leastUrgent)].leastUrgent = leastUrgent
        }
    }

    /// Devices running a batch.
    var busyCount: Int { entries.withLock { $0.count } }

    /// Asks the device whose least urgent preemptible task is least urgent to make room for a
    /// P0, unless a request is already pending; returns the device asked, or `nil`.
    func requestRoom() -> String? {
        entries.withLock { entries in
            guard !entries.values.contains(where: \.preemptRequested) else { return nil }
            let victim = entries
                .compactMap { entry in entry.value.leastUrgent.map { (device: entry.key, priority: $0) } }
                .max { ($0.priority.rawValue, $0.device) < ($1.priority.rawValue, $1.device) }
            guard let victim else { return nil }
            entries[victim.device]?.preemptRequested = true
            return victim.device
        }
    }

    /// Whether `device` was asked to make room; clears the request.
    func takeRequest(_ device: String) -> Bool {
        entries.withLock { entries in
            guard entries[device]?.preemptRequested == true else { return false }
            entries[device]?.preemptRequested = false
            return true
        }
    }
}
