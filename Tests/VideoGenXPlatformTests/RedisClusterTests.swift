import Foundation
import Subprocess
import Testing
import VideoGenXCacheRedis
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Two `videogenx api` processes sharing PostgreSQL and Redis (`cache.url`, issue 17): rate
/// limits, nonces and the status cache hold across them, and Redis dying under load costs no
/// request a 5xx and no accepted task. API nodes only: nothing here renders.
@Suite("Redis across api nodes", .serialized, .enabled(if: PostgresTestServer.enabled && RedisTestServer.enabled), .timeLimit(.minutes(4)))
final class RedisClusterTests: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-redis-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    static let body = #"{"text":"a lighthouse at dusk","params":{"resolution":"720P","fps":24,"duration":1,"steps":2}}"#

    static func environment(store: String, redis: String) -> [String: String] {
        [
            "VIDEOGENX_STORE_URL": store, "VIDEOGENX_CACHE_URL": redis, "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1",
            // Paid keys: 4 at once, then one per 5 s.
            "VIDEOGENX_TIERS_PAID_REQUESTS_PER_SECOND": "0.2", "VIDEOGENX_TIERS_PAID_BURST": "4",
        ]
    }

    @Test("A paid key's burst spread over both nodes gets exactly its 4; a nonce used on one node is refused on the other; a status read on node B comes through Redis and follows a cancel made on node A")
    func sharedAcrossNodes() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        // A Redis of its own: the check below counts the nodes' DELs on it.
        let server = try PrivateRedisServer()
        try await server.start()
        defer { server.stop() }
        let redisURL = server.url
        let environment = Self.environment(store: database.url, redis: redisURL)
        let directory = self.directory
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiA in
            let keyFile = directory.appendingPathComponent("paid.json").path
            let created = try await CLI.run([
                "keys", "create", "--user", "pat", "--tier", "paid", "--data-dir", directory.path, "--store-url", database.url, "--output", keyFile,
            ])
            #expect(created.status == .exited(0), "\(created.stderr)")
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiB in
                var statuses: [Int] = []
                for n in 0..<10 {
                    statuses.append(try await (n % 2 == 0 ? apiA : apiB).request("GET", "/api/v1/video/tasks", keyFile: keyFile).0)
                }
                #expect(statuses == [200, 200, 200, 200, 429, 429, 429, 429, 429, 429], "\(statuses)")

                let path = "/api/v1/video/tasks"
                let admin = try ClientCredentials.load(apiA.keyFile)
                let signed = RequestSignature.headers(keyID: admin.keyID, secret: admin.secret, method: "GET", pathAndQuery: path, body: Data())
                #expect(try await ClusterTests.send(signed, to: apiA.base + path) == 200)
                #expect(try await ClusterTests.send(signed, to: apiB.base + path) == 401)

                let redis = RedisClient(RedisClient.Configuration(url: try RedisURL(redisURL)))
                let deletesBefore = try await Self.deleteCalls(redis)
                let id = try await apiA.submit(Self.body)
                // Every node removes a task's shared entry on each event it hears: wait until both
                // have heard this task's creation (one DEL each), or a late one would remove the
                // entry node B's read fills below (CI saw that once under load).
                try await eventually { try await Self.deleteCalls(redis) >= deletesBefore + 2 }
                let (read, first) = try await apiB.request("GET", "/api/v1/video/task/\(id)")
                #expect(read == 200 && (first["data"] as? [String: Any])?["status"] as? String == "pending", "\(first)")
                #expect(try await !redis.send(["GET", "vgx:task:\(id)"]).isNull, "node B's read filled the shared cache")
                let (cancel, _) = try await apiA.request("POST", "/api/v1/video/task/\(id)/cancel")
                #expect(cancel == 200)
                _ = try await apiB.waitFor(id) { $0["status"] as? String == "cancelled" }
                await redis.close()
            }
        }
    }

    /// DEL commands `redis`'s server has run (`INFO commandstats`).
    static func deleteCalls(_ redis: RedisClient) async throws -> Int {
        guard case .bulkString(let bytes?) = try await redis.send(["INFO", "commandstats"]) else { return 0 }
        let line = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first { $0.hasPrefix("cmdstat_del:") }
        return line.flatMap { $0.split(separator: ",").first?.split(separator: "=").last.flatMap { Int($0) } } ?? 0
    }

    @Test("Redis killed while both nodes take signed submissions and reads, then started again: every answer is 200/202 (no 5xx), every accepted task is there, and the fallbacks are counted")
    func redisDiesUnderLoad() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let redis = try PrivateRedisServer()
        try await redis.start()
        defer { redis.stop() }
        let environment = Self.environment(store: database.url, redis: redis.url)
        let directory = self.directory
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiA in
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiB in
                let nodes = [apiA, apiB]
                /// Four clients, 24 rounds each of a submit and a read of what it submitted.
                func load(rounds: Range<Int>) async throws -> [(status: Int, id: String?)] {
                    try await withThrowingTaskGroup(of: [(Int, String?)].self) { group in
                        for client in 0..<4 {
                            group.addTask {
                                var results: [(Int, String?)] = []
                                for round in rounds {
                                    let node = nodes[(client + round) % 2]
                                    let (status, json) = try await node.request("POST", "/api/v1/video/generate", body: Self.body)
                                    let id = (json["data"] as? [String: Any])?["task_id"] as? String
                                    results.append((status, id))
                                    if let id {
                                        results.append((try await nodes[(client + round + 1) % 2].request("GET", "/api/v1/video/task/\(id)").0, nil))
                                    }
                                }
                                return results
                            }
                        }
                        return try await group.reduce(into: []) { $0 += $1 }
                    }
                }
                var results = try await load(rounds: 0..<8)
                redis.stop()
                results += try await load(rounds: 8..<16)
                try await redis.start()
                // The clients' slots refuse for 1 s after a failed connect; then they reconnect.
                try await Task.sleep(for: .milliseconds(1200))
                results += try await load(rounds: 16..<24)

                let statuses = Set(results.map(\.status))
                #expect(statuses.isSubset(of: [200, 202]), "\(results.map(\.status))")
                let accepted = results.compactMap(\.id)
                #expect(accepted.count == 4 * 24)
                for id in accepted {
                    let (status, json) = try await apiB.request("GET", "/api/v1/video/task/\(id)")
                    #expect(status == 200 && (json["data"] as? [String: Any])?["status"] as? String == "pending", "\(id): \(json)")
                }
                for node in nodes {
                    let (data, _) = try await URLSession.shared.data(from: URL(string: node.base + "/metrics")!)
                    let exposition = String(decoding: data, as: UTF8.self)
                    let fallbacks = exposition.split(separator: "\n").filter { $0.hasPrefix("videogenx_redis_fallbacks_total{") }
                    let total = fallbacks.compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
                    #expect(total > 0, "\(fallbacks)")
                }
            }
        }
    }
}
