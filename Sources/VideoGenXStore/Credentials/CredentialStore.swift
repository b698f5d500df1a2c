import Foundation

/// API keys and the request nonces seen recently (DESIGN §9). Implemented by
/// ``SQLiteCredentialStore``; the cluster issue adds a PostgreSQL one, so replay protection holds
/// across API replicas.
public protocol CredentialStore: Sendable {
    /// Stores a new key.
    /// - Throws: ``StoreError`` `invalidArgument` when the id is taken.
    func addAPIKey(_ key: APIKeyRecord) async throws

    /// The key with `id`, revoked or not; `nil` when unknown.
    func apiKey(id: String) async throws -> APIKeyRecord?

    /// Every key, or one user's, oldest first.
    func apiKeys(userID: String?) async throws -> [APIKeyRecord]

    /// Revokes a key (idempotent) and returns it.
    /// - Throws: ``StoreError`` `notFound` for an unknown id.
    func revokeAPIKey(id: String, at now: Date) async throws -> APIKeyRecord

    /// Records that `keyID` used `nonce`, remembered until `expiresAt`; answers false when it was
    /// already recorded and has not expired (a replay). Forgets expired nonces as it goes.
    func recordNonce(_ nonce: String, keyID: String, expiresAt: Date, now: Date) async throws -> Bool
}
