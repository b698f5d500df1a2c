import Foundation
import Logging
import NIOCore
import Testing
import VideoGenXCacheRedis
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport

/// What API nodes share through Redis: rate limits, nonces and the status cache, each tested as
/// two nodes (two clients with their own connections) against the run's `redis-server`, and
/// each with its fallback when Redis is unreachable.
@Suite("Redis shared state", .enabled(if: RedisTestServer.enabled), .timeLimit(.minutes(2)))
struct RedisSharedStateTests {
    static let reporter = RedisFallbackReporter(logger: Logger(label: "test.redis"))

    /// A "node": a client of its own on the run's server.
    static func node() throws -> RedisClient {
        RedisClient(RedisClient.Configuration(url: try RedisURL(try RedisTestServer.requireURL())))
    }

    /// A client of a port nobody listens on.
    static func deadNode() throws -> RedisClient {
        var configuration = RedisClient.Configuration(url: try RedisURL("redis://127.0.0.1:\(try LoopbackPort.free())"))
        configuration.connectTimeout = .milliseconds(200)
        return RedisClient(configuration)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("A burst spread over two nodes gets exactly the refusals one node gives (in process, two nodes would allow twice the burst)")
    func rateLimitAcrossNodes() async throws {
        // One request per 20 s once the burst is spent: the 12 checks must not outlast an
        // interval, or one more is allowed (a run beside every other suite took 5.5 s at 0.5/s).
        let limit = GCRA(rate: 0.05, burst: 5)
        let (a, b) = (try Self.node(), try Self.node())
        let shared = [RedisRateLimiter(client: a, reporter: Self.reporter), RedisRateLimiter(client: b, reporter: Self.reporter)]
        let key = "key-\(UUID().uuidString)"
        var allowed = 0
        var last: GCRA.Decision?
        for n in 0..<12 {
            let decision = await shared[n % 2].consume(key: key, limit: limit, now: Date())
            if decision.allowed {
                allowed += 1
                #expect(decision.remaining == 5 - allowed, "remaining counts down across both nodes")
            }
            last = decision
        }
        #expect(allowed == 5)
        let refused = try #require(last)
        #expect(!refused.allowed && refused.retryAfter > 10 && refused.retryAfter <= 20.1, "\(refused)")

        let one = InMemoryRateLimiter()
        var oneAllowed = 0
        for _ in 0..<12 where await one.consume(key: key, limit: limit, now: Date()).allowed { oneAllowed += 1 }
        #expect(oneAllowed == allowed)
        let perNode = [InMemoryRateLimiter(), InMemoryRateLimiter()]
        var perNodeAllowed = 0
        for n in 0..<12 where await perNode[n % 2].consume(key: key, limit: limit, now: Date()).allowed { perNodeAllowed += 1 }
        #expect(perNodeAllowed == 10)
        await a.close()
        await b.close()
    }

    @Test("64 concurrent checks over two nodes (batched into shared script calls) allow exactly the burst, per key")
    func concurrentChecksAreExact() async throws {
        let limit = GCRA(rate: 0.01, burst: 10)
        let (a, b) = (try Self.node(), try Self.node())
        let shared = [RedisRateLimiter(client: a, reporter: Self.reporter), RedisRateLimiter(client: b, reporter: Self.reporter)]
        let keys = ["key-\(UUID().uuidString)", "key-\(UUID().uuidString)"]
        let decisions = await withTaskGroup(of: (Int, GCRA.Decision).self) { group in
            for n in 0..<128 {
                group.addTask { (n % 2, await shared[(n / 2) % 2].consume(key: keys[n % 2], limit: limit, now: Date())) }
            }
            return await group.reduce(into: [(Int, GCRA.Decision)]()) { $0.append($1) }
        }
        for key in 0..<2 {
            let mine = decisions.filter { $0.0 == key }.map(\.1)
            #expect(mine.count == 64)
            #expect(mine.filter(\.allowed).count == 10, "key \(key)")
            #expect(Set(mine.filter(\.allowed).map(\.remaining)) == Set(0..<10), "each allowed check saw its own place in the burst")
            #expect(mine.filter { !$0.allowed }.allSatisfy { $0.retryAfter > 90 && $0.retryAfter <= 100.1 })
        }
        await a.close()
        await b.close()
    }

    @Test("A nonce used on one node is refused on the other; the same nonce under another key is fresh")
    func nonceAcrossNodes() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let (a, b) = (try Self.node(), try Self.node())
        let nodeA = RedisNonceCredentialStore(base: base, client: a, reporter: Self.reporter)
        let nodeB = RedisNonceCredentialStore(base: base, client: b, reporter: Self.reporter)
        let nonce = UUID().uuidString
        let now = Date()
        #expect(try await nodeA.recordNonce(nonce, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        #expect(try await !nodeB.recordNonce(nonce, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        #expect(try await !nodeA.recordNonce(nonce, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        #expect(try await nodeB.recordNonce(nonce, keyID: "k2", expiresAt: now.addingTimeInterval(600), now: now))
        // Remembered in Redis, not in the database.
        #expect(try await base.recordNonce(nonce, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        // Forgotten when its window ends.
        let short = UUID().uuidString
        #expect(try await nodeA.recordNonce(short, keyID: "k1", expiresAt: now.addingTimeInterval(0.2), now: now))
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await nodeB.recordNonce(short, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        await a.close()
        await b.close()
    }

    @Test("A signed request's nonce is recorded in its rate check's script call: a replay on the other node is refused and costs the key nothing; the nonce store sees it used")
    func nonceWithRateCheck() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let (a, b) = (try Self.node(), try Self.node())
        let limiters = [RedisRateLimiter(client: a, reporter: Self.reporter), RedisRateLimiter(client: b, reporter: Self.reporter)]
        let credentials = RedisNonceCredentialStore(base: base, client: a, reporter: Self.reporter)
        let limit = GCRA(rate: 0.01, burst: 5)
        let key = "key-\(UUID().uuidString)"
        let now = Date()
        func claim(_ nonce: String, keyID: String = "k1") -> NonceClaim {
            NonceClaim(nonce: nonce, keyID: keyID, expiresAt: now.addingTimeInterval(600), now: now)
        }
        let nonce = UUID().uuidString
        let first = try await limiters[0].consume(key: key, limit: limit, now: now, recording: claim(nonce), in: credentials)
        #expect(first?.allowed == true && first?.remaining == 4)
        #expect(try await limiters[1].consume(key: key, limit: limit, now: now, recording: claim(nonce), in: credentials) == nil)
        #expect(try await limiters[0].consume(key: key, limit: limit, now: now, recording: claim(nonce), in: credentials) == nil)
        let next = try await limiters[1].consume(key: key, limit: limit, now: now, recording: claim(UUID().uuidString), in: credentials)
        #expect(next?.allowed == true && next?.remaining == 3, "the replays were not counted")
        // The same names as the nonce store's: a nonce recorded either way is used for both.
        #expect(try await !credentials.recordNonce(nonce, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        let stored = UUID().uuidString
        #expect(try await credentials.recordNonce(stored, keyID: "k1", expiresAt: now.addingTimeInterval(600), now: now))
        #expect(try await limiters[0].consume(key: key, limit: limit, now: now, recording: claim(stored), in: credentials) == nil)
        // Per key, as in the nonce store.
        #expect(try await limiters[0].consume(key: key, limit: limit, now: now, recording: claim(nonce, keyID: "k2"), in: credentials) != nil)
        // A batch mixing checks with and without nonces decides each.
        let mixed = await withTaskGroup(of: Bool?.self) { group in
            for n in 0..<40 {
                group.addTask {
                    if n % 2 == 0 { return await limiters[n % 4 / 2].consume(key: "other-\(key)", limit: limit, now: now).allowed }
                    return try? await limiters[n % 4 / 2].consume(key: "other-\(key)", limit: limit, now: now, recording: claim("m\(n % 10)"), in: credentials)?.allowed
                }
            }
            return await group.reduce(into: [Bool?]()) { $0.append($1) }
        }
        #expect(mixed.filter { $0 == true }.count == 5, "exactly the burst")
        #expect(mixed.filter { $0 == nil }.count == 15, "20 signed checks over 5 nonces: 15 replays")
        await a.close()
        await b.close()
    }

    @Test("Redis unreachable during a signed request's check: the nonce goes to the credential store (replays still refused), the node's limiter decides")
    func nonceWithRateCheckFallsBack() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let dead = try Self.deadNode()
        let limiter = RedisRateLimiter(client: dead, reporter: Self.reporter)
        let credentials = RedisNonceCredentialStore(base: base, client: dead, reporter: Self.reporter)
        let limit = GCRA(rate: 0.01, burst: 2)
        let now = Date()
        let claim = NonceClaim(nonce: "n-0123456789abcdef", keyID: "k", expiresAt: now.addingTimeInterval(600), now: now)
        #expect(try await limiter.consume(key: "k", limit: limit, now: now, recording: claim, in: credentials)?.allowed == true)
        #expect(try await limiter.consume(key: "k", limit: limit, now: now, recording: claim, in: credentials) == nil)
        #expect(try await !base.recordNonce(claim.nonce, keyID: "k", expiresAt: claim.expiresAt, now: now), "recorded in the database")
        var fresh = claim
        fresh.nonce = "n-fedcba9876543210"
        #expect(try await limiter.consume(key: "k", limit: limit, now: now, recording: fresh, in: credentials)?.allowed == true)
        fresh.nonce = "n-00000000000000000"
        #expect(try await limiter.consume(key: "k", limit: limit, now: now, recording: fresh, in: credentials)?.allowed == false, "still limited")
        await dead.close()
    }

    @Test("Redis unreachable: limits fall back to the node's own limiter (still limited), nonces to the credential store (replays still refused)")
    func fallbacks() async throws {
        let dead = try Self.deadNode()
        let limiter = RedisRateLimiter(client: dead, reporter: Self.reporter)
        let limit = GCRA(rate: 0.1, burst: 2)
        var decisions: [Bool] = []
        for _ in 0..<3 { decisions.append(await limiter.consume(key: "k", limit: limit, now: Date()).allowed) }
        #expect(decisions == [true, true, false])

        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let nonces = RedisNonceCredentialStore(base: base, client: dead, reporter: Self.reporter)
        let now = Date()
        #expect(try await nonces.recordNonce("n-0123456789abcdef", keyID: "k", expiresAt: now.addingTimeInterval(600), now: now))
        #expect(try await !nonces.recordNonce("n-0123456789abcdef", keyID: "k", expiresAt: now.addingTimeInterval(600), now: now))

        let cache = RedisTaskCache(client: dead, reporter: Self.reporter)
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        let id = TaskRecord(queued: NewTask(userID: "u", request: spec), at: Date()).id
        await cache.store(.missing, for: id, ttl: 60)
        #expect(await cache.entry(for: id) == nil, "an unreachable cache is a miss")
        await dead.close()
    }

    @Test("Status cache shared by two nodes: a record one node read is served to the other from Redis; an event clears it on both; unknown ids are shared as missing")
    func statusCacheAcrossNodes() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tasks.sqlite").path
        let store = try SQLiteTaskStore(path: path, durability: .normal)
        // Changes made through this second store are reported to nobody.
        let silent = try SQLiteTaskStore(path: path, durability: .normal)
        let (a, b) = (try Self.node(), try Self.node())
        let nodeA = TaskStatusCache(store: store, capacity: 100, shared: RedisTaskCache(client: a, reporter: Self.reporter))
        let nodeB = TaskStatusCache(store: store, capacity: 100, shared: RedisTaskCache(client: b, reporter: Self.reporter))
        let spec = try GenerationRequest(text: "x", params: .init(duration: 15, steps: 20)).validated()
        try await withThrowingTaskGroup { group in
            group.addTask { try await nodeA.run() }
            group.addTask { try await nodeB.run() }
            let task = try await store.create(NewTask(userID: "u", request: spec)).task
            try await eventually(seconds: 5) { nodeA.changesSeen == 1 && nodeB.changesSeen == 1 }
            #expect(try await nodeA.record(task.id)?.status == .queued)
            // Changed where no node hears it: node B, never having read it, still gets node A's
            // copy, so it came from Redis, not from the store.
            _ = try await silent.cancel(task.id, userID: "u")
            #expect(try await store.get(task.id)?.status == .cancelled)
            let fromRedis = try await nodeB.record(task.id)
            #expect(fromRedis?.status == .queued)

            // A reported change clears the task on both nodes and in Redis.
            let other = try await store.create(NewTask(userID: "u", request: spec)).task
            try await eventually(seconds: 5) { nodeA.changesSeen == 2 && nodeB.changesSeen == 2 }
            #expect(try await nodeA.record(other.id)?.status == .queued)
            _ = try await store.cancel(other.id, userID: "u")
            try await eventually(seconds: 5) { try await nodeB.record(other.id)?.status == .cancelled }
            try await eventually(seconds: 5) { try await nodeA.record(other.id)?.status == .cancelled }

            let unknown = TaskRecord(queued: NewTask(userID: "u", request: spec), at: Date()).id
            #expect(try await nodeA.record(unknown) == nil)
            #expect(await RedisTaskCache(client: b, reporter: Self.reporter).entry(for: unknown) == .missing)
            group.cancelAll()
        }
        await a.close()
        await b.close()
    }
}

