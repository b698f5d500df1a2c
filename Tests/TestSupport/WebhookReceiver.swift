import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// A webhook receiver on loopback that records every request and answers with the scripted
/// statuses (then 200).
public final class WebhookReceiver: Sendable {
    /// One received request.
    public struct Received: Sendable {
        public var id: String
        public var timestamp: String
        public var signature: String
        public var body: Data
        /// The W3C `traceparent` header, when the sender sent one.
        public var traceparent: String? = nil
    }

    /// Every request so far.
    public let received = Mutex<[Received]>([])
    let script: Mutex<[Int]>

    /// A receiver answering the HTTP statuses `answers` in turn, then 200.
    public init(answers: [Int] = []) {
        script = Mutex(answers)
    }

    /// A copy of the requests so far.
    public var requests: [Received] { received.withLock { $0 } }

    /// Requests so far.
    public var count: Int { received.withLock { $0.count } }

    /// Runs the receiver on a free port while `body` runs.
    public func run<Value: Sendable>(_ body: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            self.received.withLock {
                $0.append(Received(
                    id: request.headers[HTTPField.Name("webhook-id")!] ?? "", timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                    signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "", body: Data(bytes.readableBytesView),
                    traceparent: request.headers[HTTPField.Name("traceparent")!]
                ))
            }
            let status = self.script.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
            return Response(status: HTTPResponse.Status(code: status))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}

