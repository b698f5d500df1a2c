import Foundation
import VideoGenXCore
import VideoGenXStore

/// Makes API keys: a public id `vk_<20 base32>` and a secret `vs_<43 base64url>` (256 random
/// bits), stored sealed in the ``CredentialStore``. The secret is returned once and never again.
public struct APIKeyIssuer: Sendable {
    let credentials: any CredentialStore
    let secrets: SecretBox

    /// An issuer storing into `credentials`, sealing with `secrets`.
    public init(credentials: any CredentialStore, secrets: SecretBox) {
        self.credentials = credentials
        self.secrets = secrets
    }

    /// A new key of `userID` on `tier`; returns the record and the secret in clear.
    public func issue(userID: String, tier: Tier, name: String, now: Date = Date()) async throws -> (key: APIKeyRecord, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        let id = "vk_" + String((0..<20).map { _ in crockford[Int.random(in: 0..<32, using: &generator)] })
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = "vs_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let key = APIKeyRecord(id: id, userID: userID, tier: tier, name: name, sealedSecret: try secrets.seal(secret), createdAt: now)
        try await credentials.addAPIKey(key)
        return (key, secret)
    }
}
