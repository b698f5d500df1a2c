import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import VideoGenXCore
import VideoGenXObjects

/// An ``ObjectStore`` in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2; moto in tests), over
/// AsyncHTTPClient with our own SigV4 signing (``SigV4Signer``). Files are streamed, never read
/// whole; above ``multipartThreshold`` they go up as a multipart upload in ``partSize`` parts,
/// ``parallelParts`` at a time, each part retried, the upload aborted if it cannot finish.
public struct S3ObjectStore: ObjectStore {
    /// Bucket, prefix and endpoint.
    public let location: S3Location
    /// Files larger than this many bytes go up in parts (`objects.multipart_threshold_mb`, 100 MiB).
    public var multipartThreshold: Int
    /// Bytes per part (`objects.part_size_mb`, 5 MiB: S3's smallest part but the last).
    public var partSize: Int
    /// Parts in flight at once (8: against moto, 4 reached 0.70–1.04 of `aws s3 cp`, 8 reached 1.33; docs/benchmarks.md).
    public var parallelParts: Int
    /// Waits before the second and third try of a request or part.
    public var retryDelays: [Duration]

    let signer: SigV4Signer
    let client: HTTPClient
    let logger: Logger
    let now: @Sendable () -> Date

    /// The process-wide client of S3 stores: a connection must be made within 5 s and an
    /// answer must not stall for 60 s. (The shared client's 90 s connect timeout also bounds
    /// how long a refused connection takes to fail — AsyncHTTPClient reports it only then —
    /// and an upload to a store that is down must fail fast, so the video goes to the spool.)
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Creates a store.
    /// - Parameters:
    ///   - client: the HTTP client (its owner shuts it down; default ``defaultClient``, never shut down).
    ///   - now: the time requests and presigned URLs are signed at.
    public init(
        location: S3Location, credentials: AWSCredentials, client: HTTPClient = defaultClient, multipartThreshold: Int = 100 << 20,
        partSize: Int = 5 << 20, parallelParts: Int = 8, retryDelays: [Duration] = [.milliseconds(200), .seconds(1)],
        logger: Logger = Logger(label: "videogenx.objects.s3"), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.location = location
        self.signer = SigV4Signer(credentials: credentials, region: location.region)
        self.client = client
        self.multipartThreshold = multipartThreshold
        self.partSize = max(partSize, 1)
        self.parallelParts = max(parallelParts, 1)
        self.retryDelays = retryDelays
        self.logger = logger
        self.now = now
    }

    public func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
        let size = try FileSlice.size(of: source)
        let name = location.objectName(key.rawValue)
        if size > multipartThreshold {
            try await putMultipart(name, file: source, size: size, contentType: contentType)
        } else {
            let response = try await retrying("PUT \(name)") {
                // A fresh stream per try: the file is read again from its start.
                let body = HTTPClientRequest.Body.stream(try FileSlice(url: source, offset: 0, count: size).chunks(), length: .known(Int64(size)))
                return try await send(.PUT, name, headers: [("content-type", contentType)], body: body, payloadHash: SigV4Signer.unsignedPayload)
            }
            try await Self.expect(response, "PUT \(name)")
        }
        return ObjectInfo(key: key, size: size, contentType: contentType, modified: now())
    }

    public func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
    where Chunks.Element == [UInt8] {
        // S3 needs the length (or a multipart upload) up front: the bytes go to a local file first.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-s3-put-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        do {
            for try await chunk in chunks { try handle.write(contentsOf: chunk) }
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        return try await put(key, fromFile: file, contentType: contentType)
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        let name = location.objectName(key.rawValue)
        let response = try await retrying("HEAD \(name)") { try await send(.HEAD, name) }
        if response.status == .notFound { return nil }
        try await Self.expect(response, "HEAD \(name)")
        return Self.info(key, response.headers, size: Int(response.headers.first(name: "content-length") ?? "") ?? 0)
    }

    public func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead {
        let name = location.objectName(key.rawValue)
        var headers: [(name: String, value: String)] = []
        if let range {
            // S3 answers a malformed range with the whole object; refuse what can never overlap.
            guard range.resolved(size: .max) != nil else {
                throw ObjectStoreError(.invalidRange, "the range \(range) selects no bytes")
            }
            headers.append(("range", Self.rangeHeader(range)))
        }
        let response = try await retrying("GET \(name)") { try await send(.GET, name, headers: headers) }
        switch response.status {
        case .notFound:
            throw ObjectStoreError(.notFound, "no object under '\(key)'")
        case .rangeNotSatisfiable:
            throw ObjectStoreError(.invalidRange, "the range does not overlap the object '\(key)'")
        case .ok, .partialContent:
            break
        default:
            try await Self.expect(response, "GET \(name)")
        }
        let length = Int(response.headers.first(name: "content-length") ?? "") ?? 0
        var served = 0...max(length - 1, 0)
        var size = length
        if response.status == .partialContent, let parsed = Self.contentRange(response.headers.first(name: "content-range")) {
            served = parsed.range
            size = parsed.size
        }
        return ObjectRead(info: Self.info(key, response.headers, size: size), range: served, chunks: ResponseChunks(response.body).stream())
    }

    public func delete(_ key: ObjectKey) async throws {
        let name = location.objectName(key.rawValue)
        let response = try await retrying("DELETE \(name)") { try await send(.DELETE, name) }
        if response.status == .notFound { return }
        try await Self.expect(response, "DELETE \(name)")
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        var found: [ObjectInfo] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [("list-type", "2"), ("prefix", location.objectName(prefix))]
            if let token { query.append(("continuation-token", token)) }
            let response = try await retrying("LIST \(prefix)") { try await send(.GET, "", query: query) }
            let xml = try await Self.document(response, "LIST \(prefix)")
            for entry in xml.children("Contents") {
                let object = entry["Key"] ?? ""
                let stripped = location.prefix.isEmpty ? object : String(object.dropFirst(location.prefix.count + 1))
                guard let key = try? ObjectKey(stripped) else { continue }
                let modified = (entry["LastModified"]).flatMap(Self.isoDate) ?? Date(timeIntervalSince1970: 0)
                found.append(ObjectInfo(key: key, size: Int(entry["Size"] ?? "") ?? 0, contentType: "", modified: modified))
            }
            token = xml["IsTruncated"] == "true" ? xml["NextContinuationToken"] : nil
        } while token != nil
        return found
    }

    /// Creates the store's bucket when it does not exist yet (set-up and tests; production
    /// buckets are usually made by their owners, with their lifecycle rules).
    public func createBucket() async throws {
        let response = try await retrying("create bucket \(location.bucket)") { try await send(.PUT, "") }
        if response.status == .conflict { return } // BucketAlreadyOwnedByYou
        try await Self.expect(response, "create bucket \(location.bucket)")
    }

    /// True: clients download from the bucket (or ``S3Location/publicEndpoint``) themselves.
    public var servesDownloadsDirectly: Bool { true }

    public func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL {
        let address = location.address(of: location.objectName(key.rawValue), on: location.publicEndpoint)
        let query = signer.presignedQuery(
            for: SigV4Signer.Request(method: "GET", host: address.host, path: address.path), expires: max(1, Int(expiresIn)), date: now()
        )
        guard let url = URL(string: "\(address.scheme)://\(address.host)\(address.path)?\(query)") else {
            throw ObjectStoreError(.invalidKey, "no URL can be made for '\(key)'")
        }
        return url
    }

    // MARK: requests

    /// Sends one signed request for `objectName` (the bucket itself when empty).
    func send(
        _ method: HTTPMethod, _ objectName: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: HTTPClientRequest.Body? = nil, payloadHash: String = SigV4Signer.emptyPayloadHash
    ) async throws -> HTTPClientResponse {
        let address = location.address(of: objectName)
        let signing = SigV4Signer.Request(method: method.rawValue, host: address.host, path: address.path, query: query, headers: headers)
        let queryText = query.map { "\(SigV4Signer.encode($0.name))=\(SigV4Signer.encode($0.value))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: "\(address.scheme)://\(address.host)\(address.path)" + (queryText.isEmpty ? "" : "?\(queryText)"))
        request.method = method
        for (name, value) in headers + signer.headers(for: signing, payloadHash: payloadHash, date: now()) {
            request.headers.add(name: name, value: value)
        }
        request.body = body
        do {
            return try await client.execute(request, timeout: .minutes(10))
        } catch {
            throw ObjectStoreError(.storage, "S3 \(method.rawValue) \(objectName.isEmpty ? location.bucket : objectName): \(error)")
        }
    }

    /// Runs `attempt` up to three times while it throws a storage error or answers 5xx.
    func retrying(_ what: String, _ attempt: () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        try await withRetries(what) {
            let response = try await attempt()
            if response.status.code >= 500 {
                throw ObjectStoreError(.storage, "S3 \(what): \(response.status.code) \(try await Self.errorText(response))")
            }
            return response
        }
    }

    /// Runs `attempt` up to ``retryDelays``.count + 1 times while it throws ``ObjectStoreError`` `storage`.
    func withRetries<T>(_ what: String, _ attempt: () async throws -> T) async throws -> T {
        var delays = retryDelays[...]
        while true {
            do {
                return try await attempt()
            } catch let error as ObjectStoreError where error.code == .storage {
                guard let delay = delays.popFirst() else { throw error }
                logger.warning("S3 request failed; retrying", metadata: ["objects.request": "\(what)", "error": "\(error)"])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Throws unless `response` is a 2xx, with S3's error code and message.
    static func expect(_ response: HTTPClientResponse, _ what: String) async throws {
        guard (200..<300).contains(response.status.code) else {
            let code: ObjectStoreError.Code = response.status == .notFound ? .notFound : .storage
            throw ObjectStoreError(code, "S3 \(what): \(response.status.code) \(try await errorText(response))")
        }
    }

    /// The XML body of a 2xx answer.
    static func document(_ response: HTTPClientResponse, _ what: String) async throws -> S3XML {
        try await expect(response, what)
        guard let xml = S3XML.parse(Array(buffer: try await response.body.collect(upTo: 16 << 20))) else {
            throw ObjectStoreError(.storage, "S3 \(what): the answer is not XML")
        }
        return xml
    }

    /// `Code: Message` of an S3 error body, or the status text.
    static func errorText(_ response: HTTPClientResponse) async throws -> String {
        let body = (try? await response.body.collect(upTo: 1 << 16)).map { Array(buffer: $0) } ?? []
        guard let xml = S3XML.parse(body), let code = xml["Code"] else { return response.status.reasonPhrase }
        return "\(code): \(xml["Message"] ?? "")"
    }

    static func info(_ key: ObjectKey, _ headers: HTTPHeaders, size: Int) -> ObjectInfo {
        let modified = headers.first(name: "last-modified").flatMap(httpDate) ?? Date(timeIntervalSince1970: 0)
        return ObjectInfo(key: key, size: size, contentType: headers.first(name: "content-type") ?? "application/octet-stream", modified: modified)
    }

    static func rangeHeader(_ range: ByteRange) -> String {
        switch range {
        case .closed(let first, let last): "bytes=\(first)-\(last)"
        case .from(let first): "bytes=\(first)-"
        case .suffix(let count): "bytes=-\(count)"
        }
    }

    /// `bytes first-last/size`.
    static func contentRange(_ header: String?) -> (range: ClosedRange<Int>, size: Int)? {
        guard let header, header.hasPrefix("bytes ") else { return nil }
        let parts = header.dropFirst(6).split(separator: "/")
        guard parts.count == 2, let size = Int(parts[1]) else { return nil }
        let bounds = parts[0].split(separator: "-")
        guard bounds.count == 2, let first = Int(bounds[0]), let last = Int(bounds[1]), first <= last else { return nil }
        return (first...last, size)
    }

    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    static func isoDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
