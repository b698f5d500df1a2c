import Foundation
import VideoGenXServer
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal client of the VideoGenX HTTP API, for the CLI's `submit`, `status`, `cancel` and
/// `watch` commands: raw requests in, status and JSON envelope out.
public struct APIClient: Sendable {
    /// Base URL of the server, e.g. `http://127.0.0.1:8000`.
    public let baseURL: URL
    /// The API key requests are signed with (`nil`: unsigned).
    public let credentials: ClientCredentials?

    /// A client of the server at `baseURL`, signing with `credentials`.
    public init(baseURL: URL, credentials: ClientCredentials? = nil) {
        self.baseURL = baseURL
        self.credentials = credentials
    }

    /// The signature headers of a request (none without credentials).
    func signatureHeaders(method: String, url: URL, body: Data) -> [(name: String, value: String)] {
        guard let credentials else { return [] }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? url.path
        let target = components?.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
        return RequestSignature.headers(keyID: credentials.keyID, secret: credentials.secret, method: method, pathAndQuery: target, body: body)
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
    /// - Throws: `URLError` when the server cannot be reached.
    public func send(_ method: String, _ path: String, json: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        let url = Self.url(baseURL, path)
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = json
        for (name, value) in signatureHeaders(method: method, url: url, body: json ?? Data()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if json != nil { request.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        return Reply(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: body)
    }

    /// `base` + `path`, where `path` may carry a query (`/api/v1/video/tasks?limit=5`).
    static func url(_ base: URL, _ path: String) -> URL {
        URL(string: base.absoluteString.trimmingSuffix("/") + (path.hasPrefix("/") ? path : "/" + path)) ?? base.appendingPathComponent(path)
    }

    /// Downloads `url` (e.g. a task's signed `video_url`) to `destination`; returns its size.
    public func download(_ url: URL, to destination: URL) async throws -> Int {
        let (body, response) = try await URLSession.shared.data(from: url)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            throw URLError(.badServerResponse, userInfo: [NSLocalizedDescriptionKey: "download answered \(status)"])
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try body.write(to: destination, options: .atomic)
        return body.count
    }
}

extension String {
    /// The string without one trailing `suffix`.
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
