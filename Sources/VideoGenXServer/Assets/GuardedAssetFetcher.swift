import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VideoGenXCore

/// Fetches the assets requests name by URL (reference and watermark images, music) for the
/// renderer: the SSRF guard first, then one GET with no redirects, a deadline and a byte cap
/// enforced while streaming (a lying `Content-Length` does not get past it).
public struct GuardedAssetFetcher: AssetFetcher {
    /// The SSRF guard.
    public var urlGuard: URLGuard
    /// The whole fetch's deadline in seconds. Configuration key `assets.fetch_timeout_seconds`.
    public var timeoutSeconds: Double

    /// Creates a fetcher; defaults: no allowlist, 20 s.
    public init(allowlist: [String] = [], timeoutSeconds: Double = 20, resolver: @escaping URLGuard.Resolver = { await URLGuard.resolve($0) }) {
        urlGuard = URLGuard(allowlist: allowlist, resolver: resolver)
        self.timeoutSeconds = timeoutSeconds
    }

    /// Downloads `url` to `destination`; see ``AssetFetcher/fetch(_:to:maxBytes:)``.
    public func fetch(_ url: String, to destination: URL, maxBytes: Int) async throws {
        let pins: [String: String]
        switch await urlGuard.verdict(for: url) {
        case .refused(let problem): throw AssetError(code: .refused, field: "", message: problem)
        case .allowed(let checked): pins = checked
        }
        // A client of its own: the shared one follows redirects, which would bypass the guard,
        // and this one connects to the address the guard checked, not to a second lookup's.
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.dnsOverride = pins
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await download(url, with: client, to: destination, maxBytes: maxBytes)
        } catch {
            try? await client.shutdown()
            try? FileManager.default.removeItem(at: destination)
            throw error
        }
        try await client.shutdown()
    }

    private func download(_ url: String, with client: HTTPClient, to destination: URL, maxBytes: Int) async throws {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "VideoGenX/1 (asset fetch)")
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeoutSeconds * 1000))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline)
        } catch {
            throw AssetError(code: .unreachable, field: "", message: "could not be fetched: \(error)")
        }
        if (300..<400).contains(response.status.code) {
            throw AssetError(code: .refused, field: "", message: "answered with a redirect (\(response.status.code)); redirects are not followed")
        }
        guard (200..<300).contains(response.status.code) else {
            let code: AssetError.Code = response.status.code >= 500 ? .unreachable : .httpStatus
            throw AssetError(code: code, field: "", message: "answered HTTP \(response.status.code)")
        }
        if let length = response.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBytes {
            throw AssetError(code: .tooLarge, field: "", message: "is \(length) bytes, more than the \(maxBytes)-byte limit")
        }
        guard FileManager.default.createFile(atPath: destination.path, contents: nil) else {
            throw AssetError(code: .unreachable, field: "", message: "could not be stored: cannot create \(destination.lastPathComponent)")
        }
        let handle = try FileHandle(forWritingTo: destination)
        defer { try? handle.close() }
        var received = 0
        do {
            for try await chunk in response.body {
                received += chunk.readableBytes
                guard received <= maxBytes else {
                    throw AssetError(code: .tooLarge, field: "", message: "is more than the \(maxBytes)-byte limit")
                }
                try handle.write(contentsOf: chunk.readableBytesView)
            }
        } catch let error as AssetError {
            throw error
        } catch {
            throw AssetError(code: .unreachable, field: "", message: "broke off while downloading: \(error)")
        }
    }
}
