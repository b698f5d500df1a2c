import Crypto
import Foundation

/// Each user's webhook secret, derived from one server master key with HKDF-SHA256 (info
/// `videogenx webhook secret v1:<user id>`): per-user, stable across restarts, nothing to store.
/// Rotating the master key rotates every user's secret.
public struct WebhookSecrets: Sendable {
    private let master: SymmetricKey

    /// Secrets derived from `masterKey` (32 random bytes kept by the server).
    public init(masterKey: some ContiguousBytes) {
        master = SymmetricKey(data: masterKey)
    }

    /// The signer of `userID`'s webhooks.
    public func signer(for userID: String) -> WebhookSigner {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: master, info: Data("videogenx webhook secret v1:\(userID)".utf8), outputByteCount: 32
        )
        return key.withUnsafeBytes { WebhookSigner(secret: Data($0)) }
    }
}
