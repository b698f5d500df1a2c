/// Where a task is in its life (DESIGN §3). Transitions are checked by ``canTransition(to:)``.
public enum TaskStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created but not yet visible to workers (reserved for multi-step submission).
    case initialized
    /// Waiting in the queue (the API calls this `pending`).
    case queued
    /// Claimed by a worker that holds a lease on it.
    case processing
    /// Finished with a result.
    case succeeded
    /// Finished without a result, with an error.
    case failed
    /// Stopped at a user's request.
    case cancelled

    /// Whether the task can never change again.
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled: true
        case .initialized, .queued, .processing: false
        }
    }

    /// The state machine: `initialized → queued → processing → succeeded | failed | cancelled`,
    /// `processing → queued` (retry, preemption, lost lease), `queued → cancelled | failed`.
    public func canTransition(to next: TaskStatus) -> Bool {
        switch (self, next) {
        case (.initialized, .queued), (.initialized, .cancelled): true
        case (.queued, .processing), (.queued, .cancelled), (.queued, .failed): true
        case (.processing, .succeeded), (.processing, .failed), (.processing, .cancelled), (.processing, .queued): true
        default: false
        }
    }

    /// The name the HTTP API uses (`queued` is `pending` there).
    public var apiName: String { self == .queued ? "pending" : rawValue }
}
