import Foundation
import VideoGenXCore

/// One webhook message of the callback outbox: a task's terminal state, to be POSTed to the
/// task's `callback_url` until the receiver answers 2xx or the retry window closes.
///
/// The message id is stable (`msg_<task id>_<status>`), so a receiver can drop duplicates: every
/// retry of one delivery carries the same `webhook-id`.
public struct CallbackDelivery: Sendable, Hashable {
    /// Where a delivery stands.
    public enum State: String, Sendable, Hashable {
        /// Waiting for its next attempt (or being attempted).
        case pending
        /// The receiver answered 2xx.
        case delivered
        /// Given up: the retry window closed, or the URL was refused.
        case abandoned
    }

    /// The `webhook-id`: `msg_<task id>_<status>`.
    public var id: String
    /// The task whose state is reported.
    public var taskID: TaskID
    /// The task's owner, whose secret signs the message.
    public var userID: String
    /// The receiver.
    public var url: String
    /// The event type, e.g. `task.succeeded`.
    public var event: String
    /// State of the delivery.
    public var state: State
    /// Attempts made so far.
    public var attempts: Int
    /// When the message was enqueued (the start of the retry window).
    public var createdAt: Date
    /// Not attempted before this time.
    public var nextAttemptAt: Date
    /// HTTP status of the last attempt, if it got one.
    public var lastStatus: Int?
    /// Why the last attempt failed, if it did.
    public var lastError: String?
    /// When the receiver accepted it.
    public var deliveredAt: Date?

    /// Creates a delivery record.
    public init(
        id: String, taskID: TaskID, userID: String, url: String, event: String, state: State = .pending, attempts: Int = 0,
        createdAt: Date, nextAttemptAt: Date, lastStatus: Int? = nil, lastError: String? = nil, deliveredAt: Date? = nil
    ) {
        self.id = id
        self.taskID = taskID
        self.userID = userID
        self.url = url
        self.event = event
        self.state = state
        self.attempts = attempts
        self.createdAt = createdAt
        self.nextAttemptAt = nextAttemptAt
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }

    /// The message id of `task`'s current state.
    public static func messageID(of task: TaskRecord) -> String {
        "msg_\(task.id.rawValue)_\(task.status.apiName)"
    }
}

/// What one attempt of a delivery came to.
public enum CallbackAttemptOutcome: Sendable, Hashable {
    /// The receiver answered 2xx with `status`.
    case delivered(status: Int)
    /// The attempt failed (`status` when the receiver answered at all); try again at `retryAt`.
    case retry(status: Int?, error: String, retryAt: Date)
    /// The attempt failed and no more will be made.
    case abandon(status: Int?, error: String)
}

extension CallbackAttemptOutcome {
    /// What an attempt recorded at `now` writes: the delivery's new state, the receiver's status,
    /// the error, the next attempt's time (`nil`: unchanged) and when it was delivered.
    package func recorded(at now: Date) -> (state: CallbackDelivery.State, status: Int?, error: String?, next: Date?, delivered: Date?) {
        switch self {
        case .delivered(let status): (.delivered, status, nil, nil, now)
        case .retry(let status, let error, let retryAt): (.pending, status, error, retryAt, nil)
        case .abandon(let status, let error): (.abandoned, status, error, nil, nil)
        }
    }
}
