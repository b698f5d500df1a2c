import Crypto
import Foundation
import VideoGenXCore

/// Signs and verifies expiring URLs: `signature = hex(HMAC-SHA256(secret, "GET\n" + path + "\n" + expires))`
/// with `expires` in Unix seconds. The API serves a result URL only when its signature matches
/// (compared in constant time) and it has not expired.
public struct URLSigner: Sendable {
    private let key: SymmetricKey

    /// A signer with `secret` (at least 32 bytes).
    /// - Throws: ``ObjectStoreError`` `storage` for a shorter secret.
    public init(secret: [UInt8]) throws(ObjectStoreError) {
        guard secret.count >= 32 else {
            throw ObjectStoreError(.storage, "URL signing secrets need at least 32 bytes, got \(secret.count)")
        }
        key = SymmetricKey(data: secret)
    }

    private init(key: SymmetricKey) {
        self.key = key
    }

    /// A signer with a fresh random 256-bit secret (signatures die with the process).
    public static func random() -> URLSigner {
        URLSigner(key: SymmetricKey(size: .bits256))
    }

    /// The query string (`expires=…&signature=…`) that authorises GET of `path` until `expires`.
    public func query(path: String, expires: Date) -> String {
        let seconds = Int64(expires.timeIntervalSince1970.rounded(.down))
        return "expires=\(seconds)&signature=\(signature(path: path, expires: seconds).hex)"
    }

    /// Checks a request for `path` carrying the `expires` and `signature` query values at `now`.
    /// - Throws: ``ObjectStoreError`` `badSignature` (missing, malformed or wrong) or `expired`.
    public func verify(path: String, expires: String?, signature: String?, now: Date) throws(ObjectStoreError) {
        guard let expires, let seconds = Int64(expires), let signature, let given = [UInt8](hex: signature),
              given.count == SHA256.byteCount
        else {
            throw ObjectStoreError(.badSignature, "the URL's signature is missing or malformed")
        }
        let message = Array("GET\n\(path)\n\(seconds)".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: message, using: key) else {
            throw ObjectStoreError(.badSignature, "the URL's signature does not match")
        }
        guard Double(seconds) > now.timeIntervalSince1970 else {
            throw ObjectStoreError(.expired, "the URL expired at \(seconds) (Unix seconds)")
        }
    }

    private func signature(path: String, expires: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("GET\n\(path)\n\(expires)".utf8), using: key))
    }
}
