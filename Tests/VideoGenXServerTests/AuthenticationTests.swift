import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import VideoGenXCore
@testable import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport

@Suite("Authentication: API-key request signatures")
struct AuthenticationTests {
    static let path = "/api/v1/video/tasks"

    @Test("A correctly signed request is let in as the key's user, with rate-limit headers")
    func valid() async throws {
        let f = try await AccessFixture.make()
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(f.free, .get, Self.path)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("X-RateLimit-Limit")!] == "20")
                #expect(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] == "19")
            }
        }
    }

    @Test("A key's 4xx answers carry the rate-limit headers too (404 unknown task, 400 bad query)")
    func rateLimitHeadersOnErrors() async throws {
        let f = try await AccessFixture.make()
        let missing = "/api/v1/video/task/vid00000000000000000000000000000000"
        let badQuery = Self.path + "?limit=0"
        try await f.app.test(.router) { client in
            for (path, status, remaining) in [(missing, HTTPResponse.Status.notFound, "19"), (badQuery, .badRequest, "18")] {
                try await client.execute(uri: path, method: .get, headers: f.signed(f.free, .get, path)) { response in
                    #expect(response.status == status)
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Limit")!] == "20", "\(path)")
                    #expect(response.headers[HTTPField.Name("X-RateLimit-Remaining")!] == remaining, "\(path)")
                }
            }
        }
    }

    /// A request the server must refuse, and the reason it gives.
    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var reason: String
        var request: @Sendable (AccessFixture) -> (path: String, body: String, headers: HTTPFields)
        var testDescription: String { name }
    }

    /// Forms `Double` would parse that are not plain decimal seconds.
    static let timestampForms: [(String, @Sendable (Int64) -> String)] = [
        ("hex", { String(format: "0x%llx", $0) }), ("exponent", { "\(Double($0) / 1e9)e9" }), ("signed", { "+\($0)" }),
        ("fraction", { "\($0).0" }),
    ]

    static let refusals: [Refusal] = [
        Refusal(name: "wrong secret", reason: "signature does not match the request") { f in
            (path, "", f.signed((f.free.id, "vs_wrong"), .get, path))
        },
        Refusal(name: "body tampered", reason: "signature does not match the request") { f in
            ("/api/v1/video/generate", #"{"text":"b"}"#, f.signed(f.free, .post, "/api/v1/video/generate", body: #"{"text":"a"}"#))
        },
        Refusal(name: "path tampered", reason: "signature does not match the request") { f in
            (path + "?limit=5", "", f.signed(f.free, .get, path + "?limit=50"))
        },
        Refusal(name: "stale timestamp", reason: "X-Timestamp must be Unix seconds within 300 s of the server's clock") { f in
            (path, "", f.signed(f.free, .get, path, at: f.clock.now().addingTimeInterval(-301)))
        },
        Refusal(name: "future timestamp", reason: "X-Timestamp must be Unix seconds within 300 s of the server's clock") { f in
            (path, "", f.signed(f.free, .get, path, at: f.clock.now().addingTimeInterval(301)))
        },
    ] + Self.timestampForms.map { form, text in
        // The current time, written in a form other than plain decimal seconds.
        Refusal(name: "\(form) timestamp", reason: "X-Timestamp must be Unix seconds within 300 s of the server's clock") { f in
            var headers = f.signed(f.free, .get, path)
            headers[HTTPField.Name(RequestSignature.timestampHeader)!] = text(Int64(f.clock.now().timeIntervalSince1970))
            return (path, "", headers)
        }
    } + [
        Refusal(name: "unknown key", reason: "unknown API key") { f in
            (path, "", f.signed(("vk_NOPE", f.free.secret), .get, path))
        },
        Refusal(name: "short nonce", reason: "X-Nonce must be 16–64 URL-safe characters") { f in
            (path, "", f.signed(f.free, .get, path, nonce: "abc"))
        },
        Refusal(name: "long nonce", reason: "X-Nonce must be 16–64 URL-safe characters") { f in
            (path, "", f.signed(f.free, .get, path, nonce: String(repeating: "a", count: 65)))
        },
        Refusal(name: "nonce with a plus", reason: "X-Nonce must be 16–64 URL-safe characters") { f in
            (path, "", f.signed(f.free, .get, path, nonce: "abcdefgh+ijklmnop"))
        },
        Refusal(name: "non-ASCII nonce", reason: "X-Nonce must be 16–64 URL-safe characters") { f in
            (path, "", f.signed(f.free, .get, path, nonce: "abcdefghijklmnoé"))
        },
    ] + [RequestSignature.keyHeader, RequestSignature.timestampHeader, RequestSignature.nonceHeader, RequestSignature.signatureHeader].map { header in
        Refusal(name: "missing \(header)", reason: "missing header \(header)") { f in
            var headers = f.signed(f.free, .get, path)
            headers[HTTPField.Name(header)!] = nil
            return (path, "", headers)
        }
    }

    @Test("Refused with 401 and the reason, never a secret", arguments: refusals)
    func refused(_ refusal: Refusal) async throws {
        let f = try await AccessFixture.make()
        let (path, body, headers) = refusal.request(f)
        try await f.app.test(.router) { client in
            let method: HTTPRequest.Method = body.isEmpty ? .get : .post
            try await client.execute(uri: path, method: method, headers: headers, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .unauthorized)
                #expect(AccessFixture.message(response) == refusal.reason)
                #expect(!AccessFixture.message(response).contains("vs_"))
            }
        }
    }

    @Test("A nonce is accepted once: a replay is refused without costing the key a request, also by a server restarted on the same store")
    func replay() async throws {
        let f = try await AccessFixture.make()
        let headers = f.signed(f.free, .get, Self.path)
        let remaining = HTTPField.Name("X-RateLimit-Remaining")!
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: headers) { response in
                #expect(response.status == .ok && response.headers[remaining] == "19")
            }
            try await client.execute(uri: Self.path, method: .get, headers: headers) { response in
                #expect(response.status == .unauthorized && AccessFixture.message(response) == "nonce already used")
            }
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(f.free, .get, Self.path)) { response in
                #expect(response.status == .ok && response.headers[remaining] == "18", "the replay was not counted")
            }
        }
        let reopened = try SQLiteCredentialStore(path: f.directory.appendingPathComponent("credentials.sqlite").path)
        let authenticator = APIKeyAuthenticator(credentials: reopened, secrets: AccessFixture.box, clock: f.clock)
        await #expect(throws: APIError.self) {
            try await authenticator.authenticate(method: "GET", pathAndQuery: Self.path, headers: headers, body: Data())
        }
    }

    @Test("A signing key made once signs many messages as a fresh HMAC of each would (RFC 4231 case 2), and checks them")
    func signingKeyReuse() throws {
        let key = RequestSigningKey(secret: "Jefe")
        let rfc4231 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        let messages = ["what do ya want for nothing?", "", "GET\n/api/v1/video/tasks\n1700000000\nabcdefghijklmnop\n" + RequestSignature.bodyHash(Data())]
        for _ in 0..<3 {
            for message in messages {
                let fresh = Array(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data("Jefe".utf8)))).hex
                #expect(key.signature(of: message) == fresh)
            }
        }
        #expect(key.signature(of: messages[0]) == rfc4231)
        let given = try #require([UInt8](hex: rfc4231))
        #expect(key.isValid(given, for: messages[0]))
        #expect(!key.isValid(given, for: messages[1]))
        #expect(!RequestSigningKey(secret: "jefe").isValid(given, for: messages[0]))
        let signature = RequestSignature.sign(key: key, method: "GET", pathAndQuery: "/p", timestamp: "1", nonce: "n", body: Data())
        #expect(signature == RequestSignature.sign(secret: "Jefe", method: "GET", pathAndQuery: "/p", timestamp: "1", nonce: "n", body: Data()))
        #expect(RequestSignature.isValid(signature.uppercased(), secret: "Jefe", method: "GET", pathAndQuery: "/p", timestamp: "1", nonce: "n", body: Data()))
    }

    @Test("Nonces are 24 URL-safe characters, all distinct, every character of the alphabet in use, and sort by the millisecond they were made; the empty body's hash is SHA-256 of nothing")
    func noncesAndEmptyBodyHash() {
        let nonces = (0..<2_000).map { _ in RequestSignature.makeNonce() }
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(nonces.allSatisfy { $0.count == 24 && $0.allSatisfy(alphabet.contains) })
        #expect(Set(nonces).count == nonces.count)
        #expect(Set(nonces.joined()) == alphabet)
        // Time first, in an alphabet in byte order: a later millisecond sorts after, byte by byte
        // (SQLite's BINARY order), from 1970 to past 6000.
        let instants = [0, 1, 63, 64, 1_700_000_000_000, 1_700_000_000_001, 1_764_547_200_000, 1_764_547_200_999, 140_000_000_000_000]
            .map { Date(timeIntervalSince1970: Double($0) / 1000) }
        let ordered = instants.map { Array(RequestSignature.makeNonce(now: $0).utf8) }
        #expect(zip(ordered, ordered.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        #expect(Set(ordered.map { $0.prefix(8) }).count == instants.count, "each millisecond its own prefix")
        #expect(RequestSignature.bodyHash(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(RequestSignature.bodyHash(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("A request without credentials is refused before its body is read: 13 MiB unsigned is a 401, not a 413")
    func refusedBeforeBody() async throws {
        let f = try await AccessFixture.make()
        let big = ByteBuffer(repeating: UInt8(ascii: "x"), count: 13 * 1024 * 1024)
        try await f.app.test(.router) { client in
            try await client.execute(uri: "/api/v1/video/generate", method: .post, body: big) { response in
                #expect(response.status == .unauthorized)
            }
            var headers = f.signed(f.free, .post, "/api/v1/video/generate", body: "")
            headers[HTTPField.Name(RequestSignature.keyHeader)!] = "vk_UNKNOWN"
            try await client.execute(uri: "/api/v1/video/generate", method: .post, headers: headers, body: big) { response in
                #expect(response.status == .unauthorized && AccessFixture.message(response) == "unknown API key")
            }
            let signed = f.signed(f.free, .post, "/api/v1/video/generate", body: "")
            try await client.execute(uri: "/api/v1/video/generate", method: .post, headers: signed, body: big) { response in
                #expect(response.status == .contentTooLarge, "a known key's oversized body is still a 413")
            }
        }
    }

    @Test("A revoked key is refused at once")
    func revoked() async throws {
        let f = try await AccessFixture.make()
        _ = try await f.credentials.revokeAPIKey(id: f.free.id, at: Date())
        try await f.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: f.signed(f.free, .get, Self.path)) { response in
                #expect(response.status == .unauthorized && AccessFixture.message(response) == "API key revoked")
            }
        }
    }

    @Test("A key read from the store is trusted for keyCacheSeconds on the cache's clock: its revocation is refused once that time has passed, not before")
    func keyCacheAge() async throws {
        let f = try await AccessFixture.make()
        let ages = ManualClock()
        let authenticator = APIKeyAuthenticator(
            credentials: f.credentials, secrets: AccessFixture.box, clock: f.clock, keyCacheSeconds: 1, cacheClock: MonotonicClock(ages)
        )
        /// The refusal of a freshly signed request, or nil when it is accepted.
        func refusal() async throws -> String? {
            do {
                _ = try await authenticator.authenticate(method: "GET", pathAndQuery: Self.path, headers: f.signed(f.free, .get, Self.path), body: Data())
                return nil
            } catch let error as APIError {
                return error.message
            }
        }
        #expect(try await refusal() == nil)
        _ = try await f.credentials.revokeAPIKey(id: f.free.id, at: Date())
        ages.advance(by: .milliseconds(999))
        #expect(try await refusal() == nil, "still trusted from the cache")
        ages.advance(by: .milliseconds(1))
        #expect(try await refusal() == "API key revoked")
    }

    @Test("Bearer tokens are refused unless enabled; enabled, the secret must match")
    func bearer() async throws {
        let off = try await AccessFixture.make()
        try await off.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: [.authorization: "Bearer \(off.free.id):\(off.free.secret)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(AccessFixture.message(response) == "bearer tokens are disabled on this server; sign the request")
            }
        }
        let on = try await AccessFixture.make(allowBearer: true)
        try await on.app.test(.router) { client in
            try await client.execute(uri: Self.path, method: .get, headers: [.authorization: "Bearer \(on.free.id):\(on.free.secret)"]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: Self.path, method: .get, headers: [.authorization: "Bearer \(on.free.id):vs_wrong"]) { response in
                #expect(response.status == .unauthorized && AccessFixture.message(response) == "wrong secret")
            }
        }
    }

    @Test("Sealed secrets open only with the key that sealed them")
    func secretBox() throws {
        let sealed = try AccessFixture.box.seal("vs_secret")
        #expect(try AccessFixture.box.open(sealed) == "vs_secret")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("vs_secret"))
        #expect(throws: (any Error).self) { try SecretBox(key: Array(repeating: 1, count: 32)).open(sealed) }
    }
}
