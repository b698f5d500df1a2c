import Foundation
import VideoGenXStore

/// A signed request's nonce, to be recorded once (a second use is a replay) until `expiresAt`.
public struct NonceClaim: Sendable, Hashable {
    /// The request's nonce.
    public var nonce: String
    /// The API key that signed it (nonces are per key).
    public var keyID: String
    /// When it may be forgotten: past the far edge of the timestamp window.
    public var expiresAt: Date
    /// When it was presented.
    public var now: Date

    /// A claim of `nonce` under `keyID`.
    public init(nonce: String, keyID: String, expiresAt: Date, now: Date) {
        self.nonce = nonce
        self.keyID = keyID
        self.expiresAt = expiresAt
        self.now = now
    }
}

extension CredentialStore {
    /// Records `claim`'s nonce; `false` when it was recorded before (a replay). The one place a
    /// claim meets ``CredentialStore/recordNonce(_:keyID:expiresAt:now:)``.
    /// - Throws: what the store throws.
    public func record(_ claim: NonceClaim) async throws -> Bool {
        try await recordNonce(claim.nonce, keyID: claim.keyID, expiresAt: claim.expiresAt, now: claim.now)
    }
}
