import Synchronization
import VideoGenXCore

/// The batch each device is running, as preemption sees it: its least urgent task and whether it
/// holds a P0, and a flag asking the device to make room for a P0 at the next step.
final class RunningBatches: Sendable {
    private struct Entry {
        var leastUrgent: TaskPriority
        var preemptRequested = false
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Records what `device` runs now (`nil` when idle).
    func update(_ device: String, running tasks: [TaskPriority]) {
        entries.withLock { entries in
            guard let leastUrgent = tasks.max(by: { $0.rawValue < $1.rawValue }) else {
                entries[device] = nil
                return
            }
            entries[device, default: Entry(leastUrgent: leastUrgent)].leastUrgent = leastUrgent
        }
    }

    /// Devices running a batch.
    var busyCount: Int { entries.withLock { $0.count } }

    /// Asks the device whose least urgent task is least urgent (among `preemptible`) to make room
    /// for a P0, unless a request is already pending; returns the device asked, or `nil`.
    func requestRoom(preemptible: Set<TaskPriority>) -> String? {
        entries.withLock { entries in
            guard !entries.values.contains(where: \.preemptRequested) else { return nil }
            let victim = entries
                .filter { preemptible.contains($0.value.leastUrgent) }
                .max { ($0.value.leastUrgent.rawValue, $0.key) < ($1.value.leastUrgent.rawValue, $1.key) }
            guard let victim else { return nil }
            entries[victim.key]?.preemptRequested = true
            return victim.key
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
