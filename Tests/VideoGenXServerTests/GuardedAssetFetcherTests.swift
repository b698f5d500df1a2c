import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
import VideoGenXServer

/// The asset fetcher against a real loopback HTTP server: bytes land in the file; redirects,
/// error statuses, oversized bodies and private addresses are refused with the right code.
@Suite("Guarded asset fetcher", .timeLimit(.minutes(1)))
struct GuardedAssetFetcherTests {
    static let payload = ByteBuffer(bytes: Array(repeating: 0xAB, count: 4096))

    /// Serves `/ok` (4 KiB), `/redirect` (302 to /ok), `/missing` (404), `/broken` (503) while `body` runs.
    static func withServer(_ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/ok") { _, _ in Response(status: .ok, body: .init(byteBuffer: payload)) }
        router.get("/redirect") { _, _ in Response(status: .found, headers: [.location: "/ok"]) }
        router.get("/missing") { _, _ in Response(status: .notFound) }
        router.get("/broken") { _, _ in Response(status: .serviceUnavailable) }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    private func fetch(_ fetcher: GuardedAssetFetcher, _ url: String, maxBytes: Int = 1 << 20) async -> Result<Data, AssetError> {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-fetch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await fetcher.fetch(url, to: file, maxBytes: maxBytes)
            return .success(try Data(contentsOf: file))
        } catch let error as AssetError {
            #expect(!FileManager.default.fileExists(atPath: file.path), "a failed fetch leaves no file")
            return .failure(error)
        } catch {
            return .failure(AssetError(code: .unreadable, field: "", message: "\(error)"))
        }
    }

    @Test("Fetches the bytes; refuses redirects, 4xx (final) and 5xx (retryable), oversized bodies and private hosts")
    func behaviour() async throws {
        try await Self.withServer { port in
            let fetcher = GuardedAssetFetcher(allowlist: ["127.0.0.1"], timeoutSeconds: 5)
            let base = "http://127.0.0.1:\(port)"
            let fetched = try await fetch(fetcher, "\(base)/ok").get()
            #expect(fetched == Data(repeating: 0xAB, count: 4096))
            #expect(await fetch(fetcher, "\(base)/redirect").failureCode == .refused)
            let missing = await fetch(fetcher, "\(base)/missing")
            #expect(missing.failureCode == .httpStatus && missing.failure?.isRetryable == false)
            let broken = await fetch(fetcher, "\(base)/broken")
            #expect(broken.failureCode == .unreachable && broken.failure?.isRetryable == true)
            #expect(await fetch(fetcher, "\(base)/ok", maxBytes: 1000).failureCode == .tooLarge)
            let guarded = GuardedAssetFetcher(timeoutSeconds: 5)
            #expect(await fetch(guarded, "\(base)/ok").failureCode == .refused, "loopback without the allowlist")
        }
    }
}

extension Result where Failure == AssetError {
    var failure: AssetError? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var failureCode: AssetError.Code? { failure?.code }
}
