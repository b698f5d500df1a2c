import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import SystemPackage
import VideoGenXCore
import Subprocess
import Testing
import VideoGenXObjects
@testable import VideoGenXObjectsS3
import VideoGenXTestSupport

/// Our SigV4 against botocore's, and the S3 store against a real S3-compatible server (moto,
/// signature checking on) where the folder store has nothing to compare: multipart sizes,
/// aborts, refused signatures. Presigned URLs are proven by the botocore parity table: moto
/// 5.2.1 answers any presigned GET with a 500 when its signature checking is on, and checks
/// neither signature nor expiry when it is off.
@Suite("S3 object store", .enabled(if: S3TestServer.enabled), .timeLimit(.minutes(2)))
struct S3ObjectStoreTests {
    static let credentials = AWSCredentials(accessKeyID: S3TestServer.accessKey, secretAccessKey: S3TestServer.secretKey)

    func store(_ credentials: AWSCredentials = credentials, threshold: Int = 100 << 20, partSize: Int = 5 << 20, now: @escaping @Sendable () -> Date = { Date() }) throws -> S3ObjectStore {
        try S3ObjectStore(
            location: S3Location(url: S3TestServer.url()), credentials: credentials, multipartThreshold: threshold, partSize: partSize,
            parallelParts: 3, retryDelays: [], now: now
        )
    }

    /// One request of the parity table.
    struct SigningCase {
        var method: String
        var scheme = "http"
        var host = "127.0.0.1:9000"
        var path: String
        var query: [(name: String, value: String)] = []
        var headers: [(name: String, value: String)] = []
        var body: [UInt8]? = []
        var region = "us-east-1"
        var token: String?
        var expires: Int?
        var date = Date(timeIntervalSince1970: 1_795_000_000)
    }

    static let signingCases: [SigningCase] = [
        SigningCase(method: "GET", path: "/bucket/videos/vid1/video.mp4"),
        SigningCase(method: "GET", path: SigV4Signer.encodePath("/bucket/a key with spaces/ünï cødé/plus+sign/100%.mp4")),
        SigningCase(method: "GET", path: "/bucket", query: [("prefix", "videos/a b+c%"), ("list-type", "2"), ("continuation-token", "1/x=="), ("a", "z"), ("a", "b")]),
        SigningCase(method: "PUT", path: "/bucket/k", headers: [("Content-Type", "video/mp4"), ("X-Amz-Meta-Note", "  two   spaces  ")], body: Array("hello".utf8)),
        SigningCase(method: "PUT", scheme: "https", host: "s3.eu-west-1.amazonaws.com", path: "/bucket/big.mp4", headers: [("Content-Type", "video/mp4")], body: nil, region: "eu-west-1", token: "FwoGZXIvYXdzEJr//session+token/="),
        SigningCase(method: "POST", path: "/bucket/k", query: [("uploads", "")], headers: [("content-type", "video/mp4")]),
        SigningCase(method: "PUT", path: "/bucket/k", query: [("partNumber", "2"), ("uploadId", "abc/def+ghi=")], body: [UInt8](repeating: 7, count: 70_000)),
        SigningCase(method: "DELETE", host: "bucket.s3.amazonaws.com", path: "/k~tilde_under-dash.ok"),
        SigningCase(method: "GET", path: "/bucket/videos/vid1/video.mp4", expires: 1800),
        SigningCase(method: "GET", scheme: "https", host: "cdn.example.com", path: SigV4Signer.encodePath("/bucket/ä b+c.mp4"), region: "ap-southeast-2", token: "tok/en+=", expires: 60),
        SigningCase(method: "GET", path: "/bucket/k", query: [("response-content-type", "video/mp4; codecs=hvc1")], expires: 604_800),
    ]

    @Test("SigV4: our Authorization headers and presigned signatures equal botocore's over a table of requests (encoded keys, query ordering, session tokens, signed, empty and unsigned bodies)")
    func parityWithBotocore() async throws {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let table: [[String: Any]] = Self.signingCases.map { c in
            var entry: [String: Any] = [
                "method": c.method, "url": "\(c.scheme)://\(c.host)\(c.path)", "params": c.query.map { [$0.name, $0.value] },
                "headers": Dictionary(c.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 }),
                "timestamp": SigV4Signer.timestamp(c.date), "region": c.region, "access_key": "AKIDEXAMPLE", "secret_key": secret,
                "token": c.token as Any,
            ]
            if let expires = c.expires { entry["expires"] = expires }
            if let body = c.body { entry["body_hex"] = body.map { String(format: "%02x", $0) }.joined() } else { entry["unsigned"] = true }
            return entry
        }
        let input = try JSONSerialization.data(withJSONObject: table)
        let result = try await Subprocess.run(
            .path(.init(S3TestServer.python)), arguments: [S3TestServer.tools.appendingPathComponent("sigv4_reference.py").path],
            input: .data(input), output: .string(limit: 1 << 20), error: .string(limit: 1 << 16)
        )
        let reference = try #require(
            try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String],
            "botocore reference failed: \(result.standardError)"
        )
        #expect(reference.count == Self.signingCases.count)
        for (c, expected) in zip(Self.signingCases, reference) {
            let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: c.token), region: c.region)
            let request = SigV4Signer.Request(method: c.method, host: c.host, path: c.path, query: c.query, headers: c.headers)
            if let expires = c.expires {
                let query = signer.presignedQuery(for: request, expires: expires, date: c.date)
                let signature = query.split(separator: "&").first { $0.hasPrefix("X-Amz-Signature=") }?.dropFirst(16)
                #expect(signature.map(String.init) == expected, "\(c.method) \(c.path) presigned")
            } else {
                let hash = c.body.map { Array(SHA256.hash(data: $0)).hex } ?? SigV4Signer.unsignedPayload
                let headers = signer.headers(for: request, payloadHash: hash, date: c.date)
                #expect(headers.first { $0.name == "authorization" }?.value == expected, "\(c.method) \(c.path)")
            }
        }
    }

    @Test("Multipart: sizes at the threshold −1, exactly, +1 and 0 bytes round-trip; parts above it; no upload is left pending")
    func multipartSizes() async throws {
        let threshold = 10_000
        let s3 = try store(threshold: threshold, partSize: 4_096)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-s3-mp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for size in [threshold - 1, threshold, threshold + 1, 3 * 4_096 + 17, 0] {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
            let file = folder.appendingPathComponent("\(size).bin")
            try Data(bytes).write(to: file)
            let key = try ObjectKey("sizes/\(size).bin")
            let info = try await s3.put(key, fromFile: file, contentType: "application/octet-stream")
            #expect(info.size == size)
            #expect(try await s3.head(key)?.size == size, "\(size)")
            #expect(try await s3.get(key, range: nil).collect() == bytes, "\(size)")
        }
        #expect(try await s3.pendingUploads().isEmpty)
    }

    @Test("A part that cannot be read fails the upload, which is aborted: no object, no pending upload")
    func failingPartAborts() async throws {
        let s3 = try store(threshold: 1_000, partSize: 1_024)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-s3-short-\(UUID().uuidString)")
        try Data(repeating: 3, count: 5_000).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        // The file is shorter than the upload expects (it shrank after it was measured): its last part fails.
        let name = s3.location.objectName("short.bin")
        await #expect(throws: (any Error).self) { try await s3.putMultipart(name, file: file, size: 6_000, contentType: "a/b") }
        #expect(try await s3.head(try ObjectKey("short.bin")) == nil)
        #expect(try await s3.pendingUploads().isEmpty)
    }

    @Test("The server checks our signatures: a wrong secret is refused (403 SignatureDoesNotMatch)")
    func wrongSecretRefused() async throws {
        let wrong = try store(AWSCredentials(accessKeyID: S3TestServer.accessKey, secretAccessKey: "not-the-secret"))
        let error = await #expect(throws: ObjectStoreError.self) { try await wrong.head(try ObjectKey("a.bin")) }
        #expect(error?.code == .storage && error?.message.contains("403") == true, "\(String(describing: error))")
        let right = try store()
        #expect(try await right.head(try ObjectKey("a.bin")) == nil)
    }

    @Test("objects.url parsing: a bad s3:// URL names what is wrong")
    func locations() throws {
        let good = try S3Location(url: "s3://videos/prod/v1?endpoint=http://127.0.0.1:9000&region=eu-west-1")
        #expect(good.bucket == "videos" && good.prefix == "prod/v1" && good.region == "eu-west-1" && good.pathStyle)
        let aws = try S3Location(url: "s3://videos")
        #expect(aws.endpoint.absoluteString == "https://s3.us-east-1.amazonaws.com" && !aws.pathStyle)
        for (text, reason) in [
            ("http://b/x", "expected s3://"), ("s3://B!/x", "the bucket"), ("s3://bucket?endpoint=ftp://x", "endpoint must be"),
            ("s3://bucket?path_style=maybe", "path_style"), ("s3://bucket?colour=red", "unknown option"),
        ] {
            #expect { try S3Location(url: text) } throws: { ($0 as? S3Location.Invalid)?.description.contains(reason) == true }
        }
    }
}
