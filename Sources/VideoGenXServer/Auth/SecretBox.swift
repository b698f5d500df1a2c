import Crypto
import Foundation

/// Seals API-key secrets at rest with AES-256-GCM under the server's secrets key
/// (`data/secrets.key`, 0600, or a file named in the configuration). A stolen database alone
/// reveals no secret.
public struct SecretBox: Sendable {
    private let key: SymmetricKey

    /// A box with a 32-byte key.
    public init(key: some ContiguousBytes) {
        self.key = SymmetricKey(data: key)
    }

    /// `secret` sealed (nonce, ciphertext and tag in one blob).
    /// - Throws: CryptoKit errors (not expected with a valid key).
    public func seal(_ secret: String) throws -> [UInt8] {
        guard let combined = try AES.GCM.seal(Data(secret.utf8), using: key).combined else { throw CryptoKitError.incorrectParameterSize }
        return [UInt8](combined)
    }

    /// The secret inside `sealed`.
    /// - Throws: when the blob was not sealed with this key or was altered.
    public func open(_ sealed: [UInt8]) throws -> String {
        String(decoding: try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key), as: UTF8.self)
    }
}
