import Foundation
import VideoGenXStore

/// A credential store whose nonces are recorded in Redis (`SET NX PX`): one round trip instead
/// of a database write per signed request, shared by every API node. Keys are read from and
/// written to the wrapped store. When Redis does not answer, the wrapped store (PostgreSQL in
/// cluster mode, shared too) records the nonce and the fallback is reported. A nonce Redis
/// accepted just before an outage is not in the store, so it could be replayed once during the
/// outage within its window (twice the timestamp tolerance): the price of not failing every
/// signed request while Redis is down (README, "Redis").
public struct RedisNonceCredentialStore: CredentialStore {
    private let base: any CredentialStore
    private let client: RedisClient
    private let reporter: RedisFallbackReporter
    private let prefix: String

    /// Nonces in `client` under `<prefix>nonce:<key id>:<nonce>`; everything else in `base`.
    public init(base: any CredentialStore, client: RedisClient, reporter: RedisFallbackReporter, prefix: String = "vgx:") {
        self.base = base
        self.client = client
        self.reporter = reporter
        self.prefix = prefix
    }

    public func addAPIKey(_ key: APIKeyRecord) async throws {
        try await base.addAPIKey(key)
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try await base.apiKey(id: id)
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        try await base.apiKeys(userID: userID)
    }

    public func revokeAPIKey(id: String, at now: Date) async throws -> APIKeyRecord {
        try await base.revokeAPIKey(id: id, at: now)
    }

    public func recordNonce(_ nonce: String, keyID: String, expiresAt: Date, now: Date) async throws -> Bool {
        do {
            let reply = try await client.send([
                "SET", Self.key(prefix: prefix, keyID: keyID, nonce: nonce), "1", "NX", "PX", String(Self.milliseconds(until: expiresAt, from: now)),
            ])
            return !reply.isNull
        } catch {
            reporter.fellBack(.nonce, error: error)
            return try await base.recordNonce(nonce, keyID: keyID, expiresAt: expiresAt, now: now)
        }
    }

    /// Where a nonce is kept (``RedisRateLimiter`` records nonces under the same names).
    static func key(prefix: String, keyID: String, nonce: String) -> String {
        prefix + "nonce:" + keyID + ":" + nonce
    }

    /// How long a nonce is kept, in whole milliseconds, at least 1.
    static func milliseconds(until expiresAt: Date, from now: Date) -> Int {
        max(1, Int((expiresAt.timeIntervalSince(now) * 1000).rounded(.up)))
    }
}
