import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VideoGenXServer

/// A minimal client of the VideoGenX HTTP API, for the CLI's `submit`, `status`, `cancel` and
/// `watch` commands and the load test: raw requests in, status and JSON envelope out. All its
/// requests go through one AsyncHTTPClient (``httpClient``).
public struct APIClient: Sendable {
    /// The process-wide HTTP client of API clients: up to 256 connections per server (the load
    /// test runs that many requests at once; the shared client's 8 would queue them), a
    /// connection made within 5 s, no tracing (the CLI bootstraps no tracer; AsyncHTTPClient
    /// would still open a no-op span and set its attributes on every request). Never shut down.
    public static let httpClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.tracing.tracer = nil
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// How long one request may take before it fails.
    static let requestTimeout: TimeAmount = .seconds(60)
    /// The most of a reply body kept (envelopes are small; videos go through ``download(_:to:)``).
    static let maxReplyBytes = 16 << 20

    /// Base URL of the server, e.g. `http://127.0.0.1:8000`.
    public let baseURL: URL
    /// The API key requests are signed with (`nil`: unsigned).
    public let credentials: ClientCredentials?

    /// The credentials' secret keyed for HMAC once, not per request.
    private let signingKey: RequestSigningKey?

    /// A client of the server at `baseURL`, signing with `credentials`.
    public init(baseURL: URL, credentials: ClientCredentials? = nil) {
        self.baseURL = baseURL
        self.credentials = credentials
        signingKey = credentials.map { RequestSigningKey(secret: $0.secret) }
    }

    /// The signature headers of a request (none without credentials).
    func signatureHeaders(method: String, url: URL, body: Data) -> [(name: String, value: String)] {
        guard let credentials, let signingKey else { return [] }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? url.path
        let target = components?.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        return RequestSignature.headers(keyID: credentials.keyID, key: signingKey, method: method, pathAndQuery: target, body: body)
    }

    /// One response: the HTTP status and the body.
    public struct Reply: Sendable {
        /// HTTP status code.
        public var status: Int
        /// Raw body.
        public var body: Data

        /// The envelope's `data` object, if the body is one.
        public var data: [String: Any]? { envelope?["data"] as? [String: Any] }
        /// The envelope's `message`.
        public var message: String { envelope?["message"] as? String ?? String(decoding: body.prefix(500), as: UTF8.self) }
        /// The `data.errors` of a 400 as `field: reason` lines.
        public var fieldErrors: [String] {
            (data?["errors"] as? [[String: String]] ?? []).map { "\($0["field"] ?? "?"): \($0["reason"] ?? "?")" }
        }
        /// The whole envelope.
        public var envelope: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// Sends `method path` with an optional JSON body and extra headers.
    /// - Throws: `HTTPClientError` (or a NIO connection error) when the server cannot be reached.
    public func send(_ method: String, _ path: String, json: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        let url = Self.url(baseURL, path)
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in signatureHeaders(method: method, url: url, body: json ?? Data()) {
            request.headers.add(name: name, value: value)
        }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        for (name, value) in headers {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        let response = try await Self.httpClient.execute(request, timeout: Self.requestTimeout)
        let body = try await response.body.collect(upTo: Self.maxReplyBytes)
        return Reply(status: Int(response.status.code), body: Data(body.readableBytesView))
    }

    /// `base` + `path`, where `path` may carry a query (`/api/v1/video/tasks?limit=5`).
    static func url(_ base: URL, _ path: String) -> URL {
        URL(string: base.absoluteString.trimmingSuffix("/") + (path.hasPrefix("/") ? path : "/" + path)) ?? base.appendingPathComponent(path)
    }

    /// Downloads `url` (e.g. a task's signed `video_url`) to `destination`; returns its size.
    public func download(_ url: URL, to destination: URL) async throws -> Int {
        try await Self.download(url, to: destination)
    }

    /// Streams the body of `GET url` into `destination` (a `.part` file beside it, renamed when
    /// complete, so a broken download never leaves a truncated file under the final name);
    /// returns its size. Memory use does not grow with the file.
    /// - Throws: ``DownloadFailed`` when the answer is not `200`; file or connection errors.
    public static func download(_ url: URL, to destination: URL, timeout: TimeAmount = .minutes(30)) async throws -> Int {
        let response = try await httpClient.execute(HTTPClientRequest(url: url.absoluteString), timeout: timeout)
        guard response.status == .ok else { throw DownloadFailed(status: Int(response.status.code)) }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let partial = destination.appendingPathExtension("part")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: partial.path])
        }
        var size = 0
        do {
            let handle = try FileHandle(forWritingTo: partial)
            defer { try? handle.close() }
            for try await chunk in response.body {
                try handle.write(contentsOf: chunk.readableBytesView)
                size += chunk.readableBytes
            }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        // rename(2) replaces an existing file atomically (FileManager's move refuses to).
        guard rename(partial.path, destination.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: partial)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
        return size
    }

    /// A download the server answered with something other than `200`.
    public struct DownloadFailed: Error, Equatable, CustomStringConvertible {
        /// The HTTP status received.
        public var status: Int
        /// A failure with `status`.
        public init(status: Int) { self.status = status }
        /// "download answered 404".
        public var description: String { "download answered \(status)" }
    }
}

extension String {
    /// The string without one trailing `suffix`.
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
