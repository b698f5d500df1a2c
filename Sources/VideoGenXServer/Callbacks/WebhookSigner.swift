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

    /// Whether any of the space-separated signatures in `header` signs the message (compared in
    /// constant time).
    public func verify(id: String, timestamp: Int64, body: some DataProtocol, header: String) -> Bool {
        let expected = Data(signature(id: id, timestamp: timestamp, body: body).utf8)
        var match = false
        for candidate in header.split(separator: " ") {
            let given = Data(candidate.utf8)
            guard given.count == expected.count else { continue }
            match = zip(given, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0 || match
        }
        return match
    }
}

/// A webhook secret that is not `whsec_<base64>`.
public struct WebhookSignerError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public var description: String { "a webhook secret must be whsec_ followed by base64" }
}
