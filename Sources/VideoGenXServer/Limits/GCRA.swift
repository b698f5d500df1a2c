import Foundation

/// The generic cell rate algorithm as a pure value: a key may make `rate` requests per second
/// on average and `burst` at once. Its whole state is one time per key, the theoretical arrival
/// time (TAT), so a shared store can hold it for every replica.
public struct GCRA: Sendable, Hashable {
    /// Sustained requests per second.
    public var rate: Double
    /// Requests allowed at once.
    public var burst: Int

    /// Creates a limit.
    public init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = max(1, burst)
    }

    /// What one request at `now` comes to, given the key's stored TAT.
    public struct Decision: Sendable, Hashable {
        /// Whether the request may go ahead.
        public var allowed: Bool
        /// The TAT to store (unchanged when refused).
        public var tat: Date
        /// Requests still allowed right now.
        public var remaining: Int
        /// Seconds until the request would be allowed (0 when allowed).
        public var retryAfter: Double
        /// Seconds until the bucket is full again.
        public var resetAfter: Double

        /// A decision made elsewhere (a shared limiter's script).
        public init(allowed: Bool, tat: Date, remaining: Int, retryAfter: Double, resetAfter: Double) {
            self.allowed = allowed
            self.tat = tat
            self.remaining = remaining
            self.retryAfter = retryAfter
            self.resetAfter = resetAfter
        }
    }

    /// Decides a request at `now`.
    public func decide(tat stored: Date?, now: Date) -> Decision {
        let interval = 1 / rate
        let tolerance = interval * Double(burst - 1)
        let tat = max(stored ?? now, now)
        let allowAt = tat.addingTimeInterval(-tolerance)
        // A microsecond of slack: Date arithmetic keeps ~0.1 µs, and a burst must not lose its last request to it.
        guard now.timeIntervalSince(allowAt) >= -1e-6 else {
            let wait = allowAt.timeIntervalSince(now)
            return Decision(allowed: false, tat: tat, remaining: 0, retryAfter: wait, resetAfter: tat.timeIntervalSince(now))
        }
        let next = tat.addingTimeInterval(interval)
        let used = next.timeIntervalSince(now)
        // Date keeps ~0.1 µs, so the quotient may land a hair under a whole number.
        let remaining = max(0, Int(((tolerance + interval - used) / interval + 1e-4).rounded(.down)))
        return Decision(allowed: true, tat: next, remaining: min(remaining, burst - 1), retryAfter: 0, resetAfter: used)
    }
}
