/// What happens after a failed attempt (DESIGN §4): two retries with exponential backoff
/// (1 s, 2 s, ±20 % jitter), then one retry on the model's fallback, then the task fails.
public struct RetryPolicy: Sendable, Hashable {
    /// The decision for one failure.
    public enum Decision: Sendable, Hashable {
        /// Back to the queue, claimable after `delay` seconds.
        case retry(afterSeconds: Double)
        /// Back to the queue at once; the next attempt must use the model's fallback.
        case retryOnFallback
        /// No attempts left: the task fails.
        case fail
    }

    /// Plain retries before the fallback. Default 2.
    public var retries: Int
    /// Delay before the first retry, doubled for each next one. Default 1 s.
    public var baseDelaySeconds: Double
    /// Relative jitter applied to each delay (0.2 = ±20 %). Default 0.2.
    public var jitter: Double
    /// Whether a fallback attempt follows the plain retries. Default true.
    public var fallback: Bool

    /// Creates a policy; defaults as documented on each property.
    public init(retries: Int = 2, baseDelaySeconds: Double = 1, jitter: Double = 0.2, fallback: Bool = true) {
        self.retries = retries
        self.baseDelaySeconds = baseDelaySeconds
        self.jitter = jitter
        self.fallback = fallback
    }

    /// Attempts a task may use in all: the first, the retries and the fallback.
    public var maxAttempts: Int { 1 + retries + (fallback ? 1 : 0) }

    /// The decision after the `failures`-th failed attempt (1 for the first failure).
    ///
    /// - Parameter unit: a number in 0…1 that picks the jitter (inject a seeded or fixed one in tests).
    public func decide(failures: Int, unit: Double) -> Decision {
        if failures <= retries {
            let delay = baseDelaySeconds * Double(1 << (failures - 1))
            let factor = 1 + jitter * (2 * min(max(unit, 0), 1) - 1)
            return .retry(afterSeconds: delay * factor)
        }
        if fallback && failures == retries + 1 {
            return .retryOnFallback
        }
        return .fail
    }
}
