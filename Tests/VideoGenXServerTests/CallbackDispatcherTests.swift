import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore

/// A webhook receiver on loopback that records every request and answers with the scripted
/// statuses (then 200).
final class WebhookReceiver: Sendable {
    /// One received request.
    struct Received: Sendable {
        var id: String
        var timestamp: String
        var signature: String
        var body: Data
    }

    let received = Mutex<[Received]>([])
    let script: Mutex<[HTTPResponse.Status]>

    init(answers: [HTTPResponse.Status] = []) {
        script = Mutex(answers)
    }

    var count: Int { received.withLock { $0.count } }

    /// Runs the receiver on a free port while `body` runs.
    func run<Value: Sendable>(_ body: @escaping @Sendable (Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.post("/hook") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            self.received.withLock {
                $0.append(Received(
                    id: request.headers[HTTPField.Name("webhook-id")!] ?? "", timestamp: request.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                    signature: request.headers[HTTPField.Name("webhook-signature")!] ?? "", body: Data(bytes.readableBytesView)
                ))
            }
            let status = self.script.withLock { $0.isEmpty ? .ok : $0.removeFirst() }
            return Response(status: status)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }
}

@Suite("Webhook dispatcher", .timeLimit(.minutes(1)))
struct CallbackDispatcherTests {
    /// Runs a dispatcher over `f`'s store on a manual clock while `body` runs.
    func withDispatcher(
        _ f: APIFixture, clock: ManualWallClock, allowlist: [String] = ["127.0.0.1"], _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let dispatcher = CallbackDispatcher(
            store: f.store, objects: f.objects, secrets: APIFixture.secrets,
            configuration: CallbackConfiguration(pollSeconds: 0.02), urlAllowlist: allowlist, clock: clock,
            logger: Logger(label: "test"), jitterUnit: { 0.5 }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// Waits (polling, up to 10 s) until `condition` holds.
    func eventually(_ condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<500 where try await !condition() {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(try await condition())
    }

    @Test("A receiver that fails twice gets the third attempt after backoff, with the same webhook-id, each correctly signed")
    func retriesWithSameID() async throws {
        let f = try APIFixture()
        let receiver = WebhookReceiver(answers: [.internalServerError, .serviceUnavailable])
        try await receiver.run { port in
            let task = try await f.store.create(NewTask(
                userID: "alice", request: TestSpecs.spec, callbackURL: "http://127.0.0.1:\(port)/hook"
            )).task
            _ = try await f.store.cancel(task.id, userID: "alice")
            // The fixture's store runs on the system clock; the dispatcher's starts just after it.
            let clock = ManualWallClock(start: Date().addingTimeInterval(0.001))
            try await withDispatcher(f, clock: clock) {
                // Each step waits for the outcome to be recorded, so the backoff starts from a known time.
                let lastStatus: @Sendable () async throws -> Int? = { try await f.store.callbacks(of: task.id).first?.lastStatus }
                try await eventually { try await lastStatus() == 500 }
                clock.advance(by: 4.9)
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.count == 1, "no retry before the 5 s backoff")
                clock.advance(by: 0.2)
                try await eventually { try await lastStatus() == 503 }
                #expect(receiver.count == 2)
                clock.advance(by: 10.1)
                try await eventually { try await f.store.callbacks(of: task.id).first?.state == .delivered }
            }
            let requests = receiver.received.withLock { $0 }
            #expect(requests.count == 3)
            #expect(Set(requests.map(\.id)) == ["msg_\(task.id.rawValue)_cancelled"])
            let signer = APIFixture.secrets.signer(for: "alice")
            for request in requests {
                let timestamp = try #require(Int64(request.timestamp))
                #expect(signer.verify(id: request.id, timestamp: timestamp, body: request.body, header: request.signature))
                #expect(!APIFixture.secrets.signer(for: "bob").verify(id: request.id, timestamp: timestamp, body: request.body, header: request.signature))
                let json = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
                #expect(json["type"] as? String == "task.cancelled")
                let data = try #require(json["data"] as? [String: Any])
                #expect(data["task_id"] as? String == task.id.rawValue && data["status"] as? String == "cancelled")
            }
            let delivery = try #require(try await f.store.callbacks(of: task.id).first)
            #expect(delivery.attempts == 3 && delivery.lastStatus == 200)
        }
    }

    @Test("410 Gone abandons the delivery; a URL the guard refuses is abandoned without any request")
    func abandons() async throws {
        let f = try APIFixture()
        let receiver = WebhookReceiver(answers: [.gone])
        try await receiver.run { port in
            let gone = try await f.store.create(NewTask(userID: "alice", request: TestSpecs.spec, callbackURL: "http://127.0.0.1:\(port)/hook")).task
            let refused = try await f.store.create(NewTask(userID: "alice", request: TestSpecs.spec, callbackURL: "http://localhost:\(port)/hook")).task
            _ = try await f.store.cancel(gone.id, userID: "alice")
            _ = try await f.store.cancel(refused.id, userID: "alice")
            let clock = ManualWallClock(start: Date().addingTimeInterval(0.001))
            try await withDispatcher(f, clock: clock) {
                try await eventually {
                    let first = try await f.store.callbacks(of: gone.id).first?.state
                    let second = try await f.store.callbacks(of: refused.id).first?.state
                    return first == .abandoned && second == .abandoned
                }
            }
            #expect(receiver.count == 1)
            #expect(try await f.store.callbacks(of: gone.id).first?.lastStatus == 410)
            #expect(try await f.store.callbacks(of: refused.id).first?.lastError?.contains("refused") == true)
        }
    }
}

/// A valid request for tests.
enum TestSpecs {
    static let spec: GenerationSpec = {
        do {
            return try GenerationRequest(text: "a red fox", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        } catch {
            preconditionFailure("the test request is valid: \(error)")
        }
    }()
}
