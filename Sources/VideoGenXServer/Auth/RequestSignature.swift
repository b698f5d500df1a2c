import Crypto
import Foundation
import VideoGenXCore

/// The request signature of the API (DESIGN §9): lowercase hex HMAC-SHA256 keyed with the API
/// key's secret (its UTF-8 bytes) over
/// `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nhex(SHA256(body))`. Clients (the CLI, load test,
/// fuzzer hook) and the server compute it here, so both sides agree by construction.
public enum RequestSignature {
    /// The header names.
    public static let keyHeader = "X-Api-Key"
    /// Unix seconds of the request.
    public static let timestampHeader = "X-Timestamp"
    /// 16–64 URL-safe characters, never reused within the window.
    public static let nonceHeader = "X-Nonce"
    /// The signature.
    public static let signatureHeader = "X-Signature"

    /// The string that is signed.
    public static func canonical(method: String, pathAndQuery: String, timestamp: String, nonce: String, body: some DataProtocol) -> String {
        canonical(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, bodyHash: bodyHash(body))
    }

    /// The string that is signed, given the body's hash (``bodyHash(_:)``) already computed.
    public static func canonical(method: String, pathAndQuery: String, timestamp: String, nonce: String, bodyHash: String) -> String {
        "\(method.uppercased())\n\(pathAndQuery)\n\(timestamp)\n\(nonce)\n\(bodyHash)"
    }

    /// Lowercase hex SHA-256 of a body, as the signed string carries it.
    public static func bodyHash(_ body: some DataProtocol) -> String {
        body.isEmpty ? emptyBodyHash : Array(SHA256.hash(data: Data(body))).hex
    }

    /// The hash of an empty body (every GET): computed once.
    private static let emptyBodyHash = Array(SHA256.hash(data: Data())).hex

    /// The lowercase hex signature of a request.
    public static func sign(
        secret: String, method: String, pathAndQuery: String, timestamp: String, nonce: String, body: some DataProtocol
    ) -> String {
        sign(key: RequestSigningKey(secret: secret), method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body)
    }

    /// ``sign(secret:method:pathAndQuery:timestamp:nonce:body:)`` with the secret's key made already.
    public static func sign(
        key: RequestSigningKey, method: String, pathAndQuery: String, timestamp: String, nonce: String, body: some DataProtocol
    ) -> String {
        key.signature(of: canonical(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body))
    }

    /// Whether `signature` (hex, either case) signs the request; compared in constant time by
    /// swift-crypto, as ``URLSigner`` does for result URLs.
    public static func isValid(
        _ signature: String, secret: String, method: String, pathAndQuery: String, timestamp: String, nonce: String, body: some DataProtocol
    ) -> Bool {
        isValid(
            signature, key: RequestSigningKey(secret: secret), method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce,
            bodyHash: bodyHash(body)
        )
    }

    /// ``isValid(_:secret:method:pathAndQuery:timestamp:nonce:body:)`` with the secret's key made
    /// already and given the body's hash (``bodyHash(_:)``; the server hashes a body while reading it).
    public static func isValid(
        _ signature: String, key: RequestSigningKey, method: String, pathAndQuery: String, timestamp: String, nonce: String, bodyHash: String
    ) -> Bool {
        guard let given = [UInt8](hex: signature), given.count == SHA256.byteCount else { return false }
        return key.isValid(given, for: canonical(method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, bodyHash: bodyHash))
    }

    /// The four headers of a signed request, with a fresh nonce and the current time.
    public static func headers(
        keyID: String, secret: String, method: String, pathAndQuery: String, body: some DataProtocol, now: Date = Date()
    ) -> [(name: String, value: String)] {
        headers(keyID: keyID, key: RequestSigningKey(secret: secret), method: method, pathAndQuery: pathAndQuery, body: body, now: now)
    }

    /// ``headers(keyID:secret:method:pathAndQuery:body:now:)`` with the secret's key made already
    /// (a client signing many requests).
    public static func headers(
        keyID: String, key: RequestSigningKey, method: String, pathAndQuery: String, body: some DataProtocol, now: Date = Date()
    ) -> [(name: String, value: String)] {
        let timestamp = String(Int64(now.timeIntervalSince1970))
        let nonce = makeNonce(now: now)
        let signature = sign(key: key, method: method, pathAndQuery: pathAndQuery, timestamp: timestamp, nonce: nonce, body: body)
        return [(keyHeader, keyID), (timestampHeader, timestamp), (nonceHeader, nonce), (signatureHeader, signature)]
    }

    /// 24 URL-safe characters: 8 of the current time in milliseconds, then 16 random (96 bits, in
    /// one draw from the system's generator through swift-crypto's `SymmetricKey(size:)`: one
    /// `getrandom` call). The alphabet is in byte order and the time comes first, so a client's
    /// nonces sort by time, as UUIDv7s and ULIDs do: the server's nonce table (a B-tree keyed by
    /// key and nonce) then takes them at its right edge, a page or two per group commit, instead
    /// of one random page per nonce (docs/benchmarks.md). Any unique nonce is accepted all the same.
    public static func makeNonce(now: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        return SymmetricKey(size: SymmetricKeySize(bitCount: 96)).withUnsafeBytes { random in
            String(unsafeUninitializedCapacity: 24) { out in
                for position in 0..<8 {
                    out[position] = nonceAlphabet.utf8Start[Int(milliseconds >> (42 - 6 * UInt64(position)) & 63)]
                }
                for group in 0..<4 {
                    // Three bytes, four characters.
                    let bits = UInt32(random[3 * group]) << 16 | UInt32(random[3 * group + 1]) << 8 | UInt32(random[3 * group + 2])
                    for position in 0..<4 {
                        out[8 + 4 * group + position] = nonceAlphabet.utf8Start[Int(bits >> (18 - 6 * position) & 63)]
                    }
                }
                return 24
            }
        }
    }

    /// The 64 URL-safe characters in byte order, so that a number written with them sorts as a
    /// string the way it does as a number.
    static let nonceAlphabet: StaticString = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

    /// Whether two strings are equal, in time that depends only on their lengths (bearer secrets).
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
