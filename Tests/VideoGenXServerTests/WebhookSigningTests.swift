import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXServer

@Suite("Webhook signing, secrets and retry schedule")
struct WebhookSigningTests {
    /// The Standard Webhooks reference vector; `standardwebhooks` (PyPI, the scheme's reference
    /// library) signs this message with this secret to exactly this value.
    @Test("Signatures match the Standard Webhooks reference library")
    func referenceVector() throws {
        let signer = try WebhookSigner(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"test": 2432232314}"#.utf8)
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(signer.encoded == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    }

    @Test("verify accepts the signature among several and refuses a changed id, timestamp or body")
    func verify() throws {
        let signer = try WebhookSigner(encoded: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Data(#"{"a":1}"#.utf8)
        let good = signer.signature(id: "msg_1", timestamp: 100, body: body)
        #expect(signer.verify(id: "msg_1", timestamp: 100, body: body, header: "v1,AAAA \(good)"))
        #expect(!signer.verify(id: "msg_2", timestamp: 100, body: body, header: good))
        #expect(!signer.verify(id: "msg_1", timestamp: 101, body: body, header: good))
        #expect(!signer.verify(id: "msg_1", timestamp: 100, body: Data(#"{"a":2}"#.utf8), header: good))
        #expect(throws: WebhookSignerError.self) { try WebhookSigner(encoded: "whsec_***") }
    }

    @Test("Each user has a stable secret of their own, derived from the master key")
    func perUserSecrets() {
        let secrets = WebhookSecrets(masterKey: Array(repeating: 1, count: 32))
        let alice = secrets.signer(for: "alice").encoded
        #expect(alice.hasPrefix("whsec_") && alice.count > 40)
        #expect(alice == WebhookSecrets(masterKey: Array(repeating: 1, count: 32)).signer(for: "alice").encoded)
        #expect(alice != secrets.signer(for: "bob").encoded)
        #expect(alice != WebhookSecrets(masterKey: Array(repeating: 2, count: 32)).signer(for: "alice").encoded)
    }

    @Test("Retries back off 5, 10, 20 … s up to an hour, with ±20 % jitter, and stop at the window's end")
    func retrySchedule() {
        let policy = CallbackRetryPolicy()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let delays = (1...12).map { policy.nextAttempt(afterFailures: $0, createdAt: start, now: start, unit: 0.5)!.timeIntervalSince(start) }
        #expect(delays == [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600])
        #expect(policy.nextAttempt(afterFailures: 1, createdAt: start, now: start, unit: 0)!.timeIntervalSince(start) == 4)
        #expect(policy.nextAttempt(afterFailures: 1, createdAt: start, now: start, unit: 1)!.timeIntervalSince(start) == 6)
        let late = start.addingTimeInterval(86_400 - 3000)
        #expect(policy.nextAttempt(afterFailures: 30, createdAt: start, now: late, unit: 0.5) == nil)
        #expect(policy.nextAttempt(afterFailures: 1, createdAt: start, now: late, unit: 0.5) != nil)
    }

    @Test("GET /api/v1/webhooks/secret shows the caller's secret; without callbacks it is 404 and callback_url is refused")
    func secretRoute() async throws {
        let f = try APIFixture()
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/webhooks/secret", method: .get) { response in
                #expect(response.status == .ok)
                let data = try APIFixture.json(response)["data"] as? [String: Any]
                #expect(data?["secret"] as? String == APIFixture.secrets.signer(for: "local").encoded)
            }
            let bad = #"{"text":"x","callback_url":"ftp://example.com/x","params":{"duration":15,"steps":20}}"#
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: ByteBuffer(string: bad)) { response in
                #expect(response.status == .badRequest)
                let errors = (try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]]
                #expect(errors == [["field": "callback_url", "reason": "must be an absolute http(s) URL"]])
            }
        }
        let off = try APIFixture(callbacks: false)
        try await off.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/webhooks/secret", method: .get) { response in
                #expect(response.status == .notFound)
            }
            let body = #"{"text":"x","callback_url":"https://93.184.216.34/hook","params":{"duration":15,"steps":20}}"#
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let errors = (try APIFixture.json(response)["data"] as? [String: Any])?["errors"] as? [[String: String]]
                #expect(errors?.first?["reason"] == "callbacks are not enabled on this server")
            }
        }
    }
}
