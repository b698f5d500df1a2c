import Foundation
import NIOCore
import NIOPosix
import Testing
import VideoGenXCacheRedis
import VideoGenXTestSupport

/// The RESP client against a real `redis-server` (the run's, from scripts/with-redis.sh; a
/// private one for the cases that stop it).
@Suite("Redis client", .enabled(if: RedisTestServer.enabled), .timeLimit(.minutes(2)))
struct RedisClientTests {
    static func client(_ url: String, connections: Int = 2, timeout: TimeAmount = .seconds(2)) throws -> RedisClient {
        var configuration = RedisClient.Configuration(url: try RedisURL(url))
        configuration.connections = connections
        configuration.commandTimeout = timeout
        configuration.retryDelay = .milliseconds(200)
        return RedisClient(configuration)
    }

    static func key(_ name: String) -> String { "test:\(UUID().uuidString):\(name)" }

    @Test("SET/GET/DEL round trip; a missing key is a null bulk string; an error reply is thrown with its text")
    func roundTrip() async throws {
        let client = try Self.client(try RedisTestServer.requireURL())
        let key = Self.key("a")
        #expect(try await client.send(["SET", key, "värde"]) == .simpleString("OK"))
        #expect(try await client.send(["GET", key]).string == "värde")
        #expect(try await client.send(["DEL", key]) == .integer(1))
        #expect(try await client.send(["GET", key]).isNull)
        await #expect(throws: RedisError.self) { try await client.send(["NOSUCHCOMMAND"]) }
        do {
            _ = try await client.send(["INCR", "\(key)x", "extra"])
            Issue.record("a wrong arity must be refused")
        } catch RedisError.server(let message) {
            #expect(message.hasPrefix("ERR"), "\(message)")
        }
        await client.close()
    }

    @Test("500 concurrent INCRs over 2 pipelined connections all count, each reply its own; a pipeline answers in order")
    func pipelining() async throws {
        let client = try Self.client(try RedisTestServer.requireURL())
        let key = Self.key("counter")
        let replies = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<500 {
                group.addTask { try await client.send(["INCR", key]).int ?? -1 }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        // Each INCR saw a distinct value: no reply went to the wrong caller.
        #expect(replies.sorted() == Array(1...500))
        let ordered = try await client.pipeline([["SET", key, "7"], ["INCRBY", key, "5"], ["GET", key], ["BOGUS"]])
        #expect(ordered[0] == .simpleString("OK") && ordered[1] == .integer(12) && ordered[2].string == "12")
        guard case .error = ordered[3] else { Issue.record("an error reply in a pipeline is returned in place: \(ordered)"); return }
        _ = try await client.send(["DEL", key])
        await client.close()
    }

    @Test("Commands sent while others are in flight are written together: 300 concurrent GETs of distinct keys each get their own value, and an error reply fails only its own command")
    func coalescedCommands() async throws {
        let client = try Self.client(try RedisTestServer.requireURL(), connections: 1)
        let prefix = Self.key("many")
        _ = try await client.pipeline((0..<300).map { ["SET", "\(prefix):\($0)", "value-\($0)"] })
        let outcomes = await withTaskGroup(of: (Int, String?).self) { group in
            for n in 0..<300 {
                group.addTask {
                    // Every tenth command is malformed: its caller alone gets the error.
                    let command = n % 10 == 0 ? ["GET", "\(prefix):\(n)", "extra"] : ["GET", "\(prefix):\(n)"]
                    do { return (n, try await client.send(command).string) } catch { return (n, nil) }
                }
            }
            return await group.reduce(into: [Int: String?]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 300)
        for n in 0..<300 {
            #expect(outcomes[n] == (n % 10 == 0 ? String?.none : "value-\(n)"), "command \(n)")
        }
        _ = try await client.pipeline((0..<300).map { ["DEL", "\(prefix):\($0)"] })
        await client.close()
    }

    @Test("EVALSHA runs a script; after SCRIPT FLUSH the client falls back to EVAL and the server knows it again — coalesced with other commands, and written on its own")
    func scripts() async throws {
        let client = try Self.client(try RedisTestServer.requireURL())
        let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
        // One after the other: each flushes the server's script cache.
        for coalesced in [true, false] {
            let key = Self.key("script-\(coalesced)")
            _ = try await client.send(["SCRIPT", "FLUSH"])
            #expect(try await client.evaluate(script, keys: [key], arguments: ["3"], coalesced: coalesced) == .integer(3))
            let known = try await client.send(["SCRIPT", "EXISTS", script.sha1])
            #expect(known == .array([.integer(1)]), "coalesced: \(coalesced)")
            #expect(try await client.evaluate(script, keys: [key], arguments: ["4"], coalesced: coalesced) == .integer(7))
            _ = try await client.send(["DEL", key])
        }
        await client.close()
    }

    @Test("A server that never answers: the command fails with a timeout, not a hang")
    func timeout() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // Accepts connections and reads nothing back.
        let silent = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(silent.localAddress?.port)
        let client = try Self.client("redis://127.0.0.1:\(port)", timeout: .milliseconds(300))
        let started = ContinuousClock.now
        await #expect(throws: RedisError.timeout) { try await client.send(["PING"]) }
        #expect(ContinuousClock.now - started < .seconds(3))
        await client.close()
        try await silent.close()
    }

    @Test("AUTH from the URL; the server killed: commands fail at once as unavailable; started again: the client reconnects by itself")
    func outageAndReconnect() async throws {
        let server = try PrivateRedisServer(password: "s3cret-pass")
        try await server.start()
        defer { server.stop() }
        let client = try Self.client(server.url)
        #expect(try await client.send(["SET", "k", "1"]) == .simpleString("OK"))
        let wrong = try Self.client("redis://:wrong@127.0.0.1:\(server.port)")
        await #expect(throws: RedisError.self) { try await wrong.send(["PING"]) }

        server.stop()
        try await Task.sleep(for: .milliseconds(200))
        for _ in 0..<3 {
            let started = ContinuousClock.now
            do {
                _ = try await client.send(["PING"])
                Issue.record("a dead server cannot answer")
            } catch let error as RedisError {
                if case .unavailable = error {} else { Issue.record("expected unavailable, got \(error)") }
            }
            #expect(ContinuousClock.now - started < .seconds(1))
        }
        try await server.start()
        try await eventually(seconds: 10) { (try? await client.send(["PING"])) == .simpleString("PONG") }
        await client.close()
        await wrong.close()
    }
}
