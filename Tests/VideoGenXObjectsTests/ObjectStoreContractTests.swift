import Foundation
import Synchronization
import Testing
import VideoGenXObjects
import VideoGenXObjectsS3
import VideoGenXTestSupport

/// The stores the object contract suite runs against: the folder store always, S3 (moto, a
/// fresh prefix per test) when the run has its server (`scripts/with-s3.sh`) or in CI.
enum ObjectStoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case file
    case s3

    /// The kinds this run can test.
    static var available: [ObjectStoreKind] { S3TestServer.enabled ? allCases : [.file] }

    var description: String { rawValue }
}

/// A fresh store in a temporary folder with a hand-driven clock, removed afterwards.
final class ObjectFixture: Sendable {
    let directory: URL
    let store: any ObjectStore
    let signer: URLSigner
    let clock = TestClock()

    init(_ kind: ObjectStoreKind) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-objects-\(UUID().uuidString)")
        signer = try URLSigner(secret: Array(repeating: 7, count: 32))
        switch kind {
        case .file:
            let clock = self.clock
            store = try FileObjectStore(
                root: directory, publicBaseURL: "http://127.0.0.1:8000/", signer: signer, now: { clock.now() }
            )
        case .s3:
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // A bucket of its own, keys at its root: moto 5.2.1's signature check decodes the
            // query before comparing, so a listing whose prefix holds `/` (`prefix%2F`) is
            // refused even from botocore — a fresh bucket keeps listed prefixes slash-free.
            store = try S3ObjectStore(
                location: S3Location(url: S3TestServer.url(bucket: "t-\(UUID().uuidString.lowercased())", prefix: "")),
                credentials: AWSCredentials(accessKeyID: S3TestServer.accessKey, secretAccessKey: S3TestServer.secretKey),
                retryDelays: []
            )
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A fixture whose store is ready to use (an S3 fixture's bucket made).
    static func ready(_ kind: ObjectStoreKind) async throws -> ObjectFixture {
        let fixture = try ObjectFixture(kind)
        if let s3 = fixture.store as? S3ObjectStore { try await s3.createBucket() }
        return fixture
    }


    /// All bytes of a read.
    static func collect(_ read: ObjectRead) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in read.chunks {
            bytes += chunk
        }
        return bytes
    }
}

/// A clock stopped at a fixed instant.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    func now() -> Date { time.withLock { $0 } }
}

/// Object behaviour every ``ObjectStore`` must show.
@Suite("ObjectStore contract")
struct ObjectStoreContractTests {
    /// 200 KiB of patterned bytes: several read chunks.
    static let payload: [UInt8] = (0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }

    private func chunks(_ bytes: [UInt8], size: Int = 10_000) -> AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            var index = 0
            while index < bytes.count {
                continuation.yield(Array(bytes[index..<min(index + size, bytes.count)]))
                index += size
            }
            continuation.finish()
        }
    }

    @Test("put then get returns the same bytes, type and size", arguments: ObjectStoreKind.available)
    func roundTrip(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        let key = try ObjectKey("videos/vid1/video.mp4")
        let info = try await f.store.put(key, chunks: chunks(Self.payload), contentType: "video/mp4")
        #expect(info.size == Self.payload.count)
        let head = try #require(try await f.store.head(key))
        #expect(head.size == Self.payload.count && head.contentType == "video/mp4")
        let read = try await f.store.get(key, range: nil)
        #expect(read.range == 0...(Self.payload.count - 1))
        #expect(try await ObjectFixture.collect(read) == Self.payload)
    }

    @Test("put from a file stores the file's bytes", arguments: ObjectStoreKind.available)
    func putFile(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        let source = f.directory.appendingPathComponent("source.bin")
        try Data(Self.payload).write(to: source)
        let key = try ObjectKey("a/b.bin")
        _ = try await f.store.put(key, fromFile: source, contentType: "application/octet-stream")
        #expect(try await ObjectFixture.collect(f.store.get(key, range: nil)) == Self.payload)
    }

    /// Ranges as HTTP expresses them, and the bytes they select of the 200 KiB payload.
    static let rangeCases: [(ByteRange, ClosedRange<Int>)] = [
        (.closed(first: 0, last: 0), 0...0),
        (.closed(first: 100, last: 199), 100...199),
        (.closed(first: 70_000, last: 999_999), 70_000...(200 * 1024 - 1)),
        (.from(204_000), 204_000...(200 * 1024 - 1)),
        (.suffix(500), (200 * 1024 - 500)...(200 * 1024 - 1)),
        (.suffix(1_000_000), 0...(200 * 1024 - 1)),
    ]

    @Test("Ranged reads return exactly the selected bytes", arguments: ObjectStoreKind.available)
    func ranges(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        let key = try ObjectKey("r.bin")
        _ = try await f.store.put(key, chunks: chunks(Self.payload), contentType: "application/octet-stream")
        for (range, expected) in Self.rangeCases {
            let read = try await f.store.get(key, range: range)
            #expect(read.range == expected, "\(range)")
            #expect(try await ObjectFixture.collect(read) == Array(Self.payload[expected]), "\(range)")
        }
        for bad in [ByteRange.closed(first: 300_000, last: 300_001), .from(200 * 1024), .suffix(0), .closed(first: 5, last: 4)] {
            await expectObjectError(.invalidRange) { try await f.store.get(key, range: bad) }
        }
    }

    @Test("A missing object is notFound on get and nil on head; delete is idempotent", arguments: ObjectStoreKind.available)
    func missingAndDelete(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        let key = try ObjectKey("gone.bin")
        await expectObjectError(.notFound) { try await f.store.get(key, range: nil) }
        #expect(try await f.store.head(key) == nil)
        _ = try await f.store.put(key, chunks: chunks([1, 2, 3]), contentType: "x/y")
        try await f.store.delete(key)
        try await f.store.delete(key)
        #expect(try await f.store.head(key) == nil)
    }

    @Test("Overwriting replaces the object whole", arguments: ObjectStoreKind.available)
    func overwrite(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        let key = try ObjectKey("o.bin")
        _ = try await f.store.put(key, chunks: chunks(Self.payload), contentType: "a/b")
        _ = try await f.store.put(key, chunks: chunks([9, 9]), contentType: "c/d")
        #expect(try await ObjectFixture.collect(f.store.get(key, range: nil)) == [9, 9])
        #expect(try await f.store.head(key)?.contentType == "c/d")
    }

    @Test("A failed upload leaves the previous object in place", arguments: ObjectStoreKind.available)
    func failedUpload(kind: ObjectStoreKind) async throws {
        struct Broken: Error {}
        let f = try await ObjectFixture.ready(kind)
        let key = try ObjectKey("keep.bin")
        _ = try await f.store.put(key, chunks: chunks([1, 2, 3]), contentType: "a/b")
        let failing = AsyncThrowingStream<[UInt8], any Error> { continuation in
            continuation.yield([7, 7, 7])
            continuation.finish(throwing: Broken())
        }
        await #expect(throws: Broken.self) { _ = try await f.store.put(key, chunks: failing, contentType: "a/b") }
        #expect(try await ObjectFixture.collect(f.store.get(key, range: nil)) == [1, 2, 3])
    }

    @Test("list returns the objects under a prefix, in key order, with their sizes", arguments: ObjectStoreKind.available)
    func list(kind: ObjectStoreKind) async throws {
        let f = try await ObjectFixture.ready(kind)
        for (key, size) in [("video-b.mp4", 3), ("video-a.mp4", 5), ("video-a.webp", 1), ("checkpoint-a.bin", 2)] {
            _ = try await f.store.put(try ObjectKey(key), chunks: chunks([UInt8](repeating: 1, count: size)), contentType: "a/b")
        }
        let videos = try await f.store.list(prefix: "video-")
        #expect(videos.map(\.key.rawValue) == ["video-a.mp4", "video-a.webp", "video-b.mp4"])
        #expect(videos.map(\.size) == [5, 1, 3])
        #expect(try await f.store.list(prefix: "video-a.m").map(\.key.rawValue) == ["video-a.mp4"])
        #expect(try await f.store.list(prefix: "nothing").isEmpty)
    }

    /// Keys that must never reach the file system.
    static let hostileKeyTexts = ["", "../etc/passwd", "a/../../b", "/abs", "a//b", "a/./b", "a b", "a\\b", "a%2e%2e", "ü.mp4", "a/", String(repeating: "a", count: 513)]

    @Test("Hostile keys are refused", arguments: hostileKeyTexts)
    func hostileKeys(text: String) {
        #expect(throws: ObjectStoreError.self) { try ObjectKey(text) }
    }

    @Test("The folder store's presigned URLs verify until they expire; any change to path, expiry or signature is refused")
    func presigned() async throws {
        let f = try ObjectFixture(.file)
        let key = try ObjectKey("videos/vid1/video.mp4")
        let url = try f.store.presignedGet(key, expiresIn: 1800)
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        #expect(url.absoluteString.hasPrefix("http://127.0.0.1:8000/api/v1/objects/videos/vid1/video.mp4?expires="))
        let expires = components.queryItems?.first { $0.name == "expires" }?.value
        let signature = components.queryItems?.first { $0.name == "signature" }?.value
        let now = f.clock.now()
        try f.signer.verify(path: components.path, expires: expires, signature: signature, now: now)

        #expect(throws: ObjectStoreError(.badSignature, "the URL's signature does not match")) {
            try f.signer.verify(path: "/api/v1/objects/videos/vid2/video.mp4", expires: expires, signature: signature, now: now)
        }
        #expect(throws: ObjectStoreError(.badSignature, "the URL's signature does not match")) {
            try f.signer.verify(path: components.path, expires: expires.map { String((Int($0) ?? 0) + 1) }, signature: signature, now: now)
        }
        let flipped = signature.map { ($0.first == "0" ? "1" : "0") + $0.dropFirst() }
        #expect(throws: ObjectStoreError(.badSignature, "the URL's signature does not match")) {
            try f.signer.verify(path: components.path, expires: expires, signature: flipped, now: now)
        }
        #expect(throws: ObjectStoreError.self) { try f.signer.verify(path: components.path, expires: expires, signature: nil, now: now) }
        #expect(throws: ObjectStoreError.self) { try f.signer.verify(path: components.path, expires: expires, signature: "zz", now: now) }
        let other = try URLSigner(secret: Array(repeating: 8, count: 32))
        #expect(throws: ObjectStoreError.self) { try other.verify(path: components.path, expires: expires, signature: signature, now: now) }
        #expect(throws: ObjectStoreError(.expired, "the URL expired at \(expires ?? "") (Unix seconds)")) {
            try f.signer.verify(path: components.path, expires: expires, signature: signature, now: now.addingTimeInterval(1800))
        }
        #expect(throws: ObjectStoreError.self) { try URLSigner(secret: [1, 2, 3]) }
    }
}

/// Expects `body` to throw an ``ObjectStoreError`` with `code`.
func expectObjectError<T>(
    _ code: ObjectStoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected ObjectStoreError \(code.rawValue), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as ObjectStoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected ObjectStoreError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}
