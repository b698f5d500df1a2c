import Foundation

/// When a failed webhook is tried again: exponential backoff from `firstDelaySeconds`, doubling
/// up to `maxDelaySeconds`, with ±20 % jitter, for `windowSeconds` after the message was made.
/// A pure value: the dispatcher asks it, tests call it with fixed jitter.
public struct CallbackRetryPolicy: Sendable, Hashable {
    /// Delay after the first failure. Default 5 s.
    public var firstDelaySeconds: Double
    /// Longest delay between attempts. Default 3,600 s (1 hour).
    public var maxDelaySeconds: Double
    /// How long after the terminal state attempts go on. Default 86,400 s (24 hours).
    public var windowSeconds: Double

    /// Creates a policy; defaults as documented on each property.
    public init(firstDelaySeconds: Double = 5, maxDelaySeconds: Double = 3600, windowSeconds: Double = 86400) {
        self.firstDelaySeconds = firstDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.windowSeconds = windowSeconds
    }

    /// The time of the next attempt after `attempts` failed ones, or `nil` when it would fall
    /// outside the window (give up).
    /// - Parameter unit: jitter source in 0…1 (0.5 = no jitter).
    public func nextAttempt(afterFailures attempts: Int, createdAt: Date, now: Date, unit: Double) -> Date? {
        let exponent = Double(max(0, min(attempts - 1, 62)))
        let delay = min(firstDelaySeconds * pow(2, exponent), maxDelaySeconds) * (0.8 + 0.4 * unit)
        let next = now.addingTimeInterval(delay)
        return next <= createdAt.addingTimeInterval(windowSeconds) ? next : nil
    }
}
