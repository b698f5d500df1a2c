import Crypto
import Foundation
import VideoGenXCore

/// An API key's secret ready to sign or check requests: HMAC-SHA256 keyed once (keying pads and
/// hashes the secret, which was most of a signature's cost, ~8 µs in swift-crypto here) and
/// copied for each message. Kept by the server's key cache and by API clients.
public struct RequestSigningKey: @unchecked Sendable {
    // Unchecked: HMAC's state is a value (its hashers copy their context on write), never
    // mutated here: each use works on its own copy.
    private let keyed: HMAC<SHA256>

    /// The key of `secret` (its UTF-8 bytes, as ``RequestSignature`` defines).
    public init(secret: String) {
        keyed = HMAC<SHA256>(key: SymmetricKey(data: Data(secret.utf8)))
    }

    /// The authentication code of `message`.
    func code(for message: String) -> HashedAuthenticationCode<SHA256> {
        var mac = keyed
        var message = message
        message.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        return mac.finalize()
    }

    /// Lowercase hex of the code of `message`.
    func signature(of message: String) -> String {
        Array(code(for: message)).hex
    }

    /// Whether `given` is the code of `message`, compared in constant time (swift-crypto's
    /// comparison of a code with bytes).
    func isValid(_ given: [UInt8], for message: String) -> Bool {
        code(for: message) == given
    }
}
