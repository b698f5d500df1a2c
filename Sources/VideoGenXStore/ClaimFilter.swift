import VideoGenXCore

/// Which claimable tasks a filtered claim may take (DESIGN §5): one batch key, some lanes, or
/// both. The empty filter admits every task.
public struct ClaimFilter: Sendable, Hashable {
    /// Only tasks with this batch key (``TaskRecord/batchKey``); `nil` admits any key.
    public var batchKey: String?
    /// Only tasks of these priorities; `nil` admits every lane.
    public var priorities: Set<TaskPriority>?

    /// Creates a filter; `nil` fields admit everything.
    public init(batchKey: String? = nil, priorities: Set<TaskPriority>? = nil) {
        self.batchKey = batchKey
        self.priorities = priorities
    }
}
