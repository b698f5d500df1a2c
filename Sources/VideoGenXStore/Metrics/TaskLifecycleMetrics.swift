import Foundation
import Metrics
import Synchronization
import VideoGenXCore

/// The business counters of DESIGN §10, derived from the records the store returns:
/// `videogenx_tasks_submitted_total{priority,tier}`, `videogenx_tasks_finished_total{status,reason}`,
/// `videogenx_task_duration_seconds{status}`, `videogenx_task_queue_wait_seconds{priority}` and
/// `videogenx_callbacks_total{outcome}`. Labels are bounded: priorities, tiers, statuses and
/// error codes, never ids, prompts or URLs.
final class TaskLifecycleMetrics: Sendable {
    private let waits: [TaskPriority: Timer]
    private let durations: [TaskStatus: Timer]
    private let callbacks: [String: Counter]
    /// Counters made on first use, by their labels (error codes are not known in advance).
    private let made = Mutex<[String: Counter]>([:])

    init() {
        var waits: [TaskPriority: Timer] = [:]
        for priority in TaskPriority.all {
            waits[priority] = Timer(label: "videogenx_task_queue_wait_seconds", dimensions: [("priority", priority.description)])
        }
        self.waits = waits
        durations = Dictionary(uniqueKeysWithValues: TaskStatus.allCases.filter(\.isTerminal).map {
            ($0, Timer(label: "videogenx_task_duration_seconds", dimensions: [("status", $0.rawValue)]))
        })
        callbacks = Dictionary(uniqueKeysWithValues: ["delivered", "retry", "abandoned"].map {
            ($0, Counter(label: "videogenx_callbacks_total", dimensions: [("outcome", $0)]))
        })
    }

    /// A task was created (not an idempotent replay).
    func submitted(_ task: TaskRecord) {
        counter("videogenx_tasks_submitted_total", [("priority", task.priority.description), ("tier", task.tier?.rawValue ?? "none")]).increment()
    }

    /// A task was claimed: its first claim (no attempt failed, no checkpoint) records the wait.
    func claimed(_ task: TaskRecord) {
        guard task.attempt == 0, task.checkpointRef == nil, let started = task.startedAt else { return }
        waits[task.priority]?.record(duration: Self.duration(from: task.createdAt, to: started))
    }

    /// What an operation returned: counts it when it is an end state; returns it.
    @discardableResult
    func ended(_ task: TaskRecord) -> TaskRecord {
        guard task.status.isTerminal else { return task }
        let reason = task.status == .succeeded ? "none" : (task.error?.code ?? task.status.rawValue)
        counter("videogenx_tasks_finished_total", [("status", task.status.rawValue), ("reason", Self.bounded(reason))]).increment()
        durations[task.status]?.record(duration: Self.duration(from: task.createdAt, to: task.finishedAt ?? task.updatedAt))
        return task
    }

    /// A callback attempt's outcome was recorded.
    func callback(_ outcome: CallbackAttemptOutcome) {
        switch outcome {
        case .delivered: callbacks["delivered"]?.increment()
        case .retry: callbacks["retry"]?.increment()
        case .abandon: callbacks["abandoned"]?.increment()
        }
    }

    /// The time from `start` to `end` in whole milliseconds, never negative (the store's times have ms precision).
    private static func duration(from start: Date, to end: Date) -> Duration {
        .milliseconds(Int64(max(0, end.timeIntervalSince(start)) * 1000))
    }

    /// An error code as a label: lower-case letters, digits and `_`, at most 40 characters.
    static func bounded(_ code: String) -> String {
        let cleaned = String(code.lowercased().map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }.prefix(40))
        return cleaned.isEmpty ? "unknown" : cleaned
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        let key = label + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        return made.withLock { made in
            if let counter = made[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions)
            made[key] = counter
            return counter
        }
    }
}
