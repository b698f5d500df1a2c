import Crypto
import Foundation
import VideoGenXCore

/// AWS Signature Version 4 for S3 (no S3 SDK is in the package set): header signing with a
/// signed or `UNSIGNED-PAYLOAD` body hash, query signing for presigned URLs, session tokens.
/// S3's flavour: the path is signed as sent (already URI-encoded, not encoded twice or
/// normalised). Checked against botocore's `S3SigV4Auth` / `S3SigV4QueryAuth` over a table of
/// requests (`Tests/VideoGenXObjectsS3Tests`).
public struct SigV4Signer: Sendable {
    /// Whose keys sign.
    public var credentials: AWSCredentials
    /// The region in the credential scope (`us-east-1` for most S3-compatible servers).
    public var region: String
    /// The service in the credential scope.
    public var service: String

    /// The body hash that leaves the payload unsigned (streamed uploads, presigned URLs).
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of no bytes, the body hash of bodiless requests.
    public static let emptyPayloadHash = Array(SHA256.hash(data: [UInt8]())).hex

    /// Creates a signer.
    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: the path as it goes on the wire (``encodePath(_:)``), the query's
    /// decoded names and values, and the headers to sign besides `host`.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ...
        public var method: String
        /// `host` or `host:port` (default ports left out), as the `Host` header carries it.
        public var host: String
        /// The encoded path, starting with `/`.
        public var path: String
        /// Query parameters, not encoded.
        public var query: [(name: String, value: String)]
        /// Headers signed with the request (`content-type`, `range`, ...).
        public var headers: [(name: String, value: String)]

        /// Creates a request.
        public init(method: String, host: String, path: String, query: [(name: String, value: String)] = [], headers: [(name: String, value: String)] = []) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// The headers that authorise `request` at `date`: `x-amz-date`, `x-amz-content-sha256`,
    /// `x-amz-security-token` (with a session token) and `authorization`.
    /// - Parameter payloadHash: hex SHA-256 of the body, or ``unsignedPayload``.
    public func headers(for request: Request, payloadHash: String, date: Date) -> [(name: String, value: String)] {
        let timestamp = Self.timestamp(date)
        var added: [(name: String, value: String)] = [("x-amz-date", timestamp), ("x-amz-content-sha256", payloadHash)]
        if let token = credentials.sessionToken { added.append(("x-amz-security-token", token)) }
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers + added + [("host", request.host)])
        let canonical = [
            request.method, request.path, Self.canonicalQuery(request.query), canonicalHeaders + "\n", signedHeaders, payloadHash,
        ].joined(separator: "\n")
        let signature = sign(canonical, timestamp: timestamp)
        added.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(timestamp)), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        return added
    }

    /// The query string (without `?`) of a presigned URL for `request` valid `expires` seconds
    /// from `date`: the request's own parameters, then the `X-Amz-*` ones and the signature.
    public func presignedQuery(for request: Request, expires: Int, date: Date) -> String {
        let timestamp = Self.timestamp(date)
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers + [("host", request.host)])
        var auth: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(timestamp))"),
            ("X-Amz-Date", timestamp), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", signedHeaders),
        ]
        if let token = credentials.sessionToken { auth.append(("X-Amz-Security-Token", token)) }
        let query = request.query + auth
        let canonical = [
            request.method, request.path, Self.canonicalQuery(query), canonicalHeaders + "\n", signedHeaders, Self.unsignedPayload,
        ].joined(separator: "\n")
        let signature = sign(canonical, timestamp: timestamp)
        return (query + [("X-Amz-Signature", signature)]).map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }.joined(separator: "&")
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    private func scope(_ timestamp: String) -> String {
        "\(timestamp.prefix(8))/\(region)/\(service)/aws4_request"
    }

    /// The hex signature of a canonical request.
    private func sign(_ canonicalRequest: String, timestamp: String) -> String {
        let stringToSign = [
            "AWS4-HMAC-SHA256", timestamp, scope(timestamp), Array(SHA256.hash(data: Array(canonicalRequest.utf8))).hex,
        ].joined(separator: "\n")
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(timestamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)).hex
    }

    /// Names lowercased, values trimmed with inner whitespace runs collapsed, sorted by name, a
    /// repeated name's values joined by commas; and the `;`-joined names.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            values[name.lowercased(), default: []].append(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        let names = values.keys.sorted()
        return (names.map { "\($0):\(values[$0]!.joined(separator: ","))" }.joined(separator: "\n"), names.joined(separator: ";"))
    }

    /// Each name and value URI-encoded, pairs sorted by name then value, joined by `&`.
    static func canonicalQuery(_ query: [(name: String, value: String)]) -> String {
        query.map { (encode($0.name), encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// RFC 3986 percent-encoding of UTF-8: everything but `A–Z a–z 0–9 - _ . ~` (and `/` when
    /// `keepingSlash`) becomes `%XX`, upper-case.
    public static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepingSlash:
                out.append("/")
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// The wire path of an object: `/` then the key encoded segment by segment.
    public static func encodePath(_ path: String) -> String {
        encode(path, keepingSlash: true)
    }

    /// `yyyyMMddTHHmmssZ` in UTC.
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(value ?? 0).leftPadded(to: 2) }
        return "\(String(c.year ?? 0).leftPadded(to: 4))\(two(c.month))\(two(c.day))T\(two(c.hour))\(two(c.minute))\(two(c.second))Z"
    }
}

extension String {
    /// The string with leading zeros up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
