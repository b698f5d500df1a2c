import Synchronization
import VideoGenXCore

/// A change to a task, published after the change is committed: for progress streams (SSE) and
/// to wake idle workers when work arrives.
public struct TaskEvent: Sendable, Hashable {
    /// The task.
    public var taskID: TaskID
    /// Its owner.
    public var userID: String
    /// Its status after the change.
    public var status: TaskStatus
    /// Its progress after the change.
    public var progress: Int
    /// Its stage after the change.
    public var stage: String?
    /// Whether a cancel is pending.
    public var cancelRequested: Bool

    /// An event of these fields (a store reading changes back builds it without the whole record).
    package init(taskID: TaskID, userID: String, status: TaskStatus, progress: Int, stage: String?, cancelRequested: Bool) {
        self.taskID = taskID
        self.userID = userID
        self.status = status
        self.progress = progress
        self.stage = stage
        self.cancelRequested = cancelRequested
    }

    /// The event of `record` as it stands.
    package init(_ record: TaskRecord) {
        self.init(
            taskID: record.id, userID: record.userID, status: record.status, progress: record.progress, stage: record.stage,
            cancelRequested: record.cancelRequested
        )
    }
}

/// Fans committed task events out to every subscriber. Slow subscribers keep only the newest
/// 1,000 events (a progress stream re-reads the task on reconnect anyway).
package final class TaskEventBroadcaster: Sendable {
    private let subscribers = Mutex<[Int: AsyncStream<TaskEvent>.Continuation]>([:])
    private let nextID = Atomic<Int>(0)
    /// The last event published for each recent task, so a change read back from the database
    /// (another process's, or this one's own seen again) is published once.
    private let last = Mutex<[TaskID: TaskEvent]>([:])

    /// An empty broadcaster.
    package init() {}

    /// A new subscription; it ends when the consumer stops iterating.
    package func subscribe() -> AsyncStream<TaskEvent> {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream.makeStream(of: TaskEvent.self, bufferingPolicy: .bufferingNewest(1000))
        continuation.onTermination = { [weak self] _ in
            self?.subscribers.withLock { _ = $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// Publishes events to every subscriber.
    package func publish(_ events: [TaskEvent]) {
        guard !events.isEmpty else { return }
        remember(events)
        deliver(events)
    }

    /// Publishes the events that differ from the last one published for their task: for
    /// changes read back from the database.
    package func publishChanged(_ events: [TaskEvent]) {
        let fresh = last.withLock { last in events.filter { last[$0.taskID] != $0 } }
        publish(fresh)
    }

    private func remember(_ events: [TaskEvent]) {
        last.withLock { last in
            // Bounded: old tasks are forgotten (at worst one of their changes is published twice).
            if last.count > 10_000 { last.removeAll(keepingCapacity: true) }
            for event in events { last[event.taskID] = event }
        }
    }

    private func deliver(_ events: [TaskEvent]) {
        let current = subscribers.withLock { Array($0.values) }
        for continuation in current {
            for event in events {
                continuation.yield(event)
            }
        }
    }
}
