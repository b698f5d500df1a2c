import Foundation
import Synchronization
import VideoGenXStore

/// Where rate-limit state lives: in this process (``InMemoryRateLimiter``) or, for several API
/// replicas, in the shared store (the cluster issue), so a key's limit holds across them.
public protocol RateLimiter: Sendable {
    /// Applies `limit` to one request of `key` at `now`.
    func consume(key: String, limit: GCRA, now: Date) async -> GCRA.Decision

    /// Records a signed request's nonce in `credentials`, then, only when it was fresh, applies
    /// `limit` as ``consume(key:limit:now:)`` does; `nil` for a replayed nonce, which costs the key
    /// nothing. The default does the two one after the other; a limiter that keeps its state
    /// where the nonces are (Redis) does both in one step.
    /// - Throws: what recording the nonce throws.
    func consume(key: String, limit: GCRA, now: Date, recording claim: NonceClaim, in credentials: any CredentialStore) async throws -> GCRA.Decision?
}

extension RateLimiter {
    public func consume(
        key: String, limit: GCRA, now: Date, recording claim: NonceClaim, in credentials: any CredentialStore
    ) async throws -> GCRA.Decision? {
        guard try await credentials.record(claim) else { return nil }
        return await consume(key: key, limit: limit, now: now)
    }
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
