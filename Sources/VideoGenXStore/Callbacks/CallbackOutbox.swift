import Foundation
import VideoGenXCore

/// The durable outbox of webhook deliveries (DESIGN §3: "callback (signed, retried)").
///
/// A store that implements it enqueues a delivery in the same transaction that moves a task with
/// a `callback_url` to a terminal state, so a crash can lose neither the state nor its callback.
/// Delivery is at-least-once: an attempt whose outcome was not recorded (crash mid-POST) is made
/// again after `leaseSeconds`, with the same message id.
public protocol CallbackOutbox: Sendable {
    /// Takes up to `limit` pending deliveries that are due at `now`, oldest first, and holds each
    /// for `leaseSeconds` (another dispatcher will not take it meanwhile); counts the attempt.
    func claimDueCallbacks(now: Date, limit: Int, leaseSeconds: Double) async throws -> [CallbackDelivery]

    /// Records the outcome of an attempt of delivery `id`.
    func recordCallbackAttempt(_ id: String, outcome: CallbackAttemptOutcome, at now: Date) async throws

    /// Every delivery of `taskID`, oldest first (for operators and tests).
    func callbacks(of taskID: TaskID) async throws -> [CallbackDelivery]
}
