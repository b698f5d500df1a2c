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
        /// The database failed or holds something unreadable.
        case storage
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }

    static func notFound(_ id: TaskID) -> StoreError { StoreError(.notFound, "no task \(id)") }

    static func illegal(_ id: TaskID, from: TaskStatus, to: TaskStatus) -> StoreError {
        StoreError(.illegalTransition, "task \(id) is \(from.rawValue) and cannot become \(to.rawValue)")
    }
}
