import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXServer

/// The asset fetcher against a real loopback HTTP server: bytes land in the file; redirects,
/// error statuses, oversized bodies and private addresses are refused with the right code.
@Suite("Guarded asset fetcher", .timeLimit(.minutes(1)))
struct GuardedAssetFetcherTests {
    static let payload = ByteBuffer(bytes: Array(repeating: 0xAB, count: 4096))

    /// Requests for `/ok` one server answered.
    final class Served: Sendable {
        let count = Atomic<Int>(0)
    }

    /// Serves `/ok` (4 KiB), `/redirect` (302 to /ok), `/missing` (404), `/broken` (503) while `body` runs.
    static func withServer(served: Served = Served(), _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("/ok") { _, _ in
            served.count.add(1, ordering: .relaxed)
            return Response(status: .ok, body: .init(byteBuffer: payload))
        }
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

    @Test("DNS rebinding: the fetch connects to the address the guard checked, not to what a second lookup of the name answers")
    func pinsTheCheckedAddress() async throws {
        let served = Served()
        try await Self.withServer(served: served) { port in
            // The guard's lookup answers a public address (TEST-NET-3); a second lookup of
            // `localhost` — the one AsyncHTTPClient would make — answers 127.0.0.1, where our server is.
            let fetcher = GuardedAssetFetcher(timeoutSeconds: 2, resolver: { _ in [[203, 0, 113, 7]] })
            let result = await fetch(fetcher, "http://localhost:\(port)/ok")
            #expect(result.failureCode == .unreachable, "\(result)")
            #expect(served.count.load(ordering: .relaxed) == 0, "nothing reached the loopback server")
            #expect(await URLGuard(resolver: { _ in [[203, 0, 113, 7]] }).verdict(for: "http://localhost:\(port)/ok") == .allowed(pins: ["localhost": "203.0.113.7"]))
            #expect(await URLGuard().verdict(for: "http://203.0.113.7/x") == .allowed(pins: [:]), "an IP literal needs no pin")
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
