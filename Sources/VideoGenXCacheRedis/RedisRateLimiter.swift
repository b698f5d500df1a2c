import Foundation
import VideoGenXServer
import VideoGenXStore

/// Per-key GCRA rate limits kept in Redis, so a key gets the same limit however its requests are
/// spread over API nodes. One Lua script reads the key's theoretical arrival time (TAT), decides
/// and writes it back atomically, on Redis's own clock (the nodes' clocks need not agree, and
/// the `now` passed in is not used). Checks that arrive together share one script call
/// (``GCRABatcher``). When Redis does not answer, this node's in-process limiter
/// decides (the limit then holds per node, not across nodes) and the fallback is reported.
public struct RedisRateLimiter: RateLimiter {
    private let batcher: GCRABatcher
    private let fallback: InMemoryRateLimiter
    private let reporter: RedisFallbackReporter
    private let prefix: String

    /// Limits kept under `<prefix>rl:<key>` on `client`.
    public init(client: RedisClient, reporter: RedisFallbackReporter, prefix: String = "vgx:") {
        batcher = GCRABatcher(client: client)
        self.reporter = reporter
        self.prefix = prefix
        fallback = InMemoryRateLimiter()
    }

    public func consume(key: String, limit: GCRA, now: Date) async -> GCRA.Decision {
        do {
            return Self.decision(try await check(key: key, limit: limit), now: now)
        } catch {
            reporter.fellBack(.rateLimit, error: error)
            return await fallback.consume(key: key, limit: limit, now: now)
        }
    }

    /// Records the nonce in the same script call as the check (under the names
    /// ``RedisNonceCredentialStore`` uses): one round trip per signed request instead of two.
    /// When Redis does not answer, `credentials` records the nonce (its own fallback included)
    /// and this node's limiter decides. If the call ran but its answer was lost, the nonce is
    /// in Redis already and the request is refused as a replay: the client signs a new one.
    public func consume(
        key: String, limit: GCRA, now: Date, recording claim: NonceClaim, in credentials: any CredentialStore
    ) async throws -> GCRA.Decision? {
        do {
            let verdict = try await check(key: key, limit: limit, recording: claim)
            return verdict.replayed ? nil : Self.decision(verdict, now: now)
        } catch {
            reporter.fellBack(.rateLimit, error: error)
            guard try await credentials.record(claim) else { return nil }
            return await fallback.consume(key: key, limit: limit, now: now)
        }
    }

    /// The script's verdict on one request of `key`, recording `claim` first when given.
    private func check(key: String, limit: GCRA, recording claim: NonceClaim? = nil) async throws -> GCRABatcher.Verdict {
        try await batcher.check(
            key: prefix + "rl:" + key, intervalMicroseconds: 1_000_000 / limit.rate, burst: limit.burst,
            nonceKey: claim.map { RedisNonceCredentialStore.key(prefix: prefix, keyID: $0.keyID, nonce: $0.nonce) },
            nonceMilliseconds: claim.map { RedisNonceCredentialStore.milliseconds(until: $0.expiresAt, from: $0.now) } ?? 0
        )
    }

    private static func decision(_ verdict: GCRABatcher.Verdict, now: Date) -> GCRA.Decision {
        let reset = Double(verdict.resetAfterMicroseconds) / 1e6
        return GCRA.Decision(
            allowed: verdict.allowed, tat: now.addingTimeInterval(reset), remaining: verdict.remaining,
            retryAfter: Double(verdict.retryAfterMicroseconds) / 1e6, resetAfter: reset
        )
    }
}
