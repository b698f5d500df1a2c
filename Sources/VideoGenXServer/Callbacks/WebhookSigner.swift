import Crypto
import Foundation

/// Signs and verifies webhook messages per the Standard Webhooks scheme
/// (<https://www.standardwebhooks.com>): the signed content is `"<id>.<timestamp>.<body>"`, the
/// signature is `v1,<base64 HMAC-SHA256>` and the secret is shown as `whsec_<base64>`.
public struct WebhookSigner: Sendable {
    /// The raw secret.
    public let secret: SymmetricKey

    /// A signer with the raw secret bytes.
    public init(secret: some ContiguousBytes) {
        self.secret = SymmetricKey(data: secret)
    }

    /// A signer with a secret written as `whsec_<base64>` (or bare base64).
    /// - Throws: ``WebhookSignerError`` when the text is not base64.
    public init(encoded: String) throws {
        let base64 = encoded.hasPrefix("whsec_") ? String(encoded.dropFirst(6)) : encoded
        guard let bytes = Data(base64Encoded: base64), !bytes.isEmpty else { throw WebhookSignerError() }
        self.init(secret: bytes)
    }

    /// The secret as receivers configure it: `whsec_<base64>`.
    public var encoded: String {
        "whsec_" + secret.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The `webhook-signature` value of a message: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
    public func signature(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        var hmac = HMAC<SHA256>(key: secret)
        hmac.update(data: Data("\(id).\(timestamp).".utf8))
        hmac.update(data: Data(body))
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }

    /// Whether any of the space-separated `v1,<base64>` signatures in `header` signs the message
    /// (compared in constant time by swift-crypto).
    public func verify(id: String, timestamp: Int64, body: some DataProtocol, header: String) -> Bool {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        return header.split(separator: " ").contains { candidate in
            guard candidate.hasPrefix("v1,"), let mac = Data(base64Encoded: String(candidate.dropFirst(3))), mac.count == SHA256.byteCount else {
                return false
            }
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: message, using: secret)
        }
    }
}

/// A webhook secret that is not `whsec_<base64>`.
public struct WebhookSignerError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public var description: String { "a webhook secret must be whsec_ followed by base64" }
}
