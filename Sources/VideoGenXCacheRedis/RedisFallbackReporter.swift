import Logging
import Metrics
import Synchronization

/// Reports that a use of Redis fell back because Redis did not answer: counts every fallback in
/// `videogenx_redis_fallbacks_total{use}` and logs an error at most once per `logInterval` per
/// use, so an outage under load does not flood the log.
public final class RedisFallbackReporter: Sendable {
    /// The uses of Redis, each with its fallback.
    public enum Use: String, Sendable, CaseIterable {
        /// Shared status cache: a failed read is a miss (the store answers), a failed write is skipped.
        case cache
        /// Rate limits: this node's in-process limiter decides.
        case rateLimit = "rate_limit"
        /// Nonces: the credential store records them.
        case nonce
    }

    private let logger: Logger
    private let logInterval: Duration
    private let counters: [Use: Counter]
    private let lastLogged = Mutex<[Use: ContinuousClock.Instant]>([:])

    /// A reporter logging to `logger`.
    public init(logger: Logger, logInterval: Duration = .seconds(10)) {
        self.logger = logger
        self.logInterval = logInterval
        counters = Dictionary(uniqueKeysWithValues: Use.allCases.map { ($0, Counter(label: "videogenx_redis_fallbacks_total", dimensions: [("use", $0.rawValue)])) })
    }

    /// Records one fallback of `use` caused by `error`.
    public func fellBack(_ use: Use, error: any Error) {
        counters[use]?.increment()
        let now = ContinuousClock.now
        let due = lastLogged.withLock { last in
            if let previous = last[use], previous.duration(to: now) < logInterval { return false }
            last[use] = now
            return true
        }
        guard due else { return }
        logger.error("redis unavailable; falling back", metadata: [
            "redis.use": "\(use.rawValue)", "error.type": "\(type(of: error))", "error.message": "\(error)",
        ])
    }
}
