import VideoGenXCore

/// An error of a ``TaskStore`` call, with a stable code.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable {
        /// No such task (or not the caller's).
        case notFound = "not_found"
        /// The caller's lease was lost (expired and reaped, released, or the task re-claimed):
        /// nothing was changed.
        case staleLease = "stale_lease"
        /// The task's state does not allow this change (e.g. cancelling a finished task).
        case illegalTransition = "illegal_transition"
        /// An argument is out of range (capacity, percent, lease).
        case invalidArgument = "invalid_argument"
        /// A limit checked in the write's transaction was reached (a user's pending-task cap).
        case limitExceeded = "limit_exceeded"
        /// The queue as a whole holds the most tasks allowed (checked in the insert's transaction).
        case queueFull = "queue_full"
        /// The database failed or holds something unreadable.
        case storage
        /// The database cannot be reached (connection lost, server restarting): nothing was
        /// changed that the caller can rely on, and the same call may succeed when retried.
        case unavailable
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable message.
    public var message: String
    /// What the driver reported, when it reported something (kept for logs, not shown to users).
    public var underlying: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying.map { String(reflecting: $0) }
    }

    /// Whether the same call may succeed when made again later (the database was unreachable).
    public var isRetryable: Bool { code == .unavailable }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    /// No task `id`.
    package static func notFound(_ id: TaskID) -> StoreError { StoreError(.notFound, "no task \(id)") }

    /// The user has `queued` tasks pending; `cap` is the most allowed.
    package static func pendingCap(queued: Int, cap: Int) -> StoreError {
        StoreError(.limitExceeded, "you have \(queued) tasks pending, the most allowed at once is \(cap); wait for some to start")
    }

    /// The queue holds `queued` tasks; `cap` is the most allowed.
    package static func queueFull(queued: Int, cap: Int) -> StoreError {
        StoreError(.queueFull, "the queue is full (\(queued) tasks, at most \(cap)); retry later")
    }

    /// `id` cannot move from `from` to `to`.
    package static func illegal(_ id: TaskID, from: TaskStatus, to: TaskStatus) -> StoreError {
        StoreError(.illegalTransition, "task \(id) is \(from.rawValue) and cannot become \(to.rawValue)")
    }
}
