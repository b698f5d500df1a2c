import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A file server on loopback that answers `GET /<name>` with `bytes` only after `delay`: an
/// asset that keeps a task in its opening stage for as long as the test needs.
public struct SlowFileServer: Sendable {
    let bytes: [UInt8]
    let contentType: String
    let delay: Duration

    /// A server of `bytes` (as `contentType`), each answer held for `delay`.
    public init(bytes: [UInt8], contentType: String, delay: Duration) {
        self.bytes = bytes
        self.contentType = contentType
        self.delay = delay
    }

    /// Runs the server on a free loopback port while `body` runs.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router()
        let (bytes, contentType, delay) = (bytes, contentType, delay)
        router.get("/{name}") { _, _ -> Response in
            try await Task.sleep(for: delay)
            return Response(
                status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}
