import Foundation
import Synchronization

/// Where rate-limit state lives: in this process (``InMemoryRateLimiter``) or, for several API
/// replicas, in the shared store (the cluster issue), so a key's limit holds across them.
public protocol RateLimiter: Sendable {
    /// Applies `limit` to one request of `key` at `now`.
    func consume(key: String, limit: GCRA, now: Date) async -> GCRA.Decision
}

/// The rate limiter of one process: the TAT of each key in a locked dictionary, pruned of keys
/// that have been idle past their full bucket.
public final class InMemoryRateLimiter: RateLimiter {
    private let state = Mutex<[String: Date]>([:])

    /// An empty limiter.
    public init() {}

    public func consume(key: String, limit: GCRA, now: Date) async -> GCRA.Decision {
        state.withLock { tats in
            let decision = limit.decide(tat: tats[key], now: now)
            tats[key] = decision.tat
            if tats.count > 100_000 {
                tats = tats.filter { $0.value > now }
            }
            return decision
        }
    }
}
