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
import VideoGenXStoreSQLite
import VideoGenXTestSupport

@Suite("Webhook dispatcher", .timeLimit(.minutes(1)))
struct CallbackDispatcherTests {
    /// Runs a dispatcher over `f`'s store on a manual clock while `body` runs.
    func withDispatcher(
        _ f: APIFixture, clock: ManualWallClock, allowlist: [String] = ["127.0.0.1"],
        resolver: @escaping URLGuard.Resolver = { await URLGuard.resolve($0) }, _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        let dispatcher = CallbackDispatcher(
            store: f.store, objects: f.objects, secrets: APIFixture.secrets,
            configuration: CallbackConfiguration(timeoutSeconds: 2, pollSeconds: 0.02), urlAllowlist: allowlist, clock: clock,
            logger: Logger(label: "test"), jitterUnit: { 0.5 }, resolver: resolver
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            try await body()
            group.cancelAll()
        }
    }

    @Test("A receiver that fails twice gets the third attempt after backoff, with the same webhook-id, each correctly signed")
    func retriesWithSameID() async throws {
        let f = try APIFixture()
        let receiver = WebhookReceiver(answers: [500, 503])
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
            let requests = receiver.requests
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
        let receiver = WebhookReceiver(answers: [410])
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

    @Test("DNS rebinding: the POST goes to the address the guard checked (public, unreachable here), not to a second lookup's loopback receiver")
    func pinsTheCheckedAddress() async throws {
        let f = try APIFixture()
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            let task = try await f.store.create(NewTask(userID: "alice", request: TestSpecs.spec, callbackURL: "http://localhost:\(port)/hook")).task
            _ = try await f.store.cancel(task.id, userID: "alice")
            let clock = ManualWallClock(start: Date().addingTimeInterval(0.001))
            try await withDispatcher(f, clock: clock, allowlist: [], resolver: { _ in [[203, 0, 113, 7]] }) {
                try await eventually { try await f.store.callbacks(of: task.id).first?.attempts ?? 0 >= 1 }
            }
            #expect(receiver.count == 0, "the loopback receiver, which a second lookup of localhost finds, got nothing")
            #expect(try await f.store.callbacks(of: task.id).first?.state != .delivered)
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
