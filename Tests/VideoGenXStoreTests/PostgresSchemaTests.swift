import Foundation
import Logging
import PostgresNIO
import Testing
import VideoGenXCore
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXTestSupport

/// What only the PostgreSQL driver has: monthly partitions, lookups pruned to one partition,
/// migrations that two processes may run at once.
@Suite("PostgreSQL schema", .enabled(if: PostgresTestServer.enabled))
struct PostgresSchemaTests {
    /// Runs `body` with a client on `configuration`'s database.
    func withClient<Result: Sendable>(
        _ configuration: PostgresClient.Configuration, _ body: @Sendable (PostgresClient) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    @Test("Partitions are made for the current and next two months; a task lands in its month; get by id reads one partition (EXPLAIN)")
    func partitions() async throws {
        let f = try await StoreFixture(.postgres)
        let store = try #require(f.store as? PostgresTaskStore)
        #expect(try await store.ensurePartitions() == ["tasks_2026_01", "tasks_2026_02", "tasks_2026_03"])
        #expect(try await store.ensurePartitions().isEmpty, "idempotent")
        let task = try await f.create()
        f.clock.advance(by: 40 * 86_400)
        let february = try await f.create()
        let configuration = try #require(f.postgres)
        let id = task.id.rawValue
        let (placed, plan) = try await withClient(configuration) { client in
            var placed: [String: String] = [:]
            for try await (table, id) in try await client.query("SELECT tableoid::regclass::text, id FROM tasks").decode((String, String).self) {
                placed[id] = table
            }
            let created = task.createdAt.milliseconds
            var plan: [String] = []
            for try await line in try await client.query("""
                EXPLAIN SELECT * FROM tasks WHERE id = \(id) AND created_at BETWEEN \(created) AND \(created + 1)
                """).decode(String.self) {
                plan.append(line)
            }
            return (placed, plan.joined(separator: "\n"))
        }
        #expect(placed[task.id.rawValue] == "tasks_2026_01")
        #expect(placed[february.id.rawValue] == "tasks_2026_02")
        #expect(plan.contains("tasks_2026_01"), "\(plan)")
        for other in ["tasks_2026_02", "tasks_2026_03", "tasks_default"] {
            #expect(!plan.contains(other), "the lookup reads \(other) too:\n\(plan)")
        }
        #expect(try await f.store.get(task.id) == task)
    }

    @Test("Migrations run by two processes at once apply once (advisory lock), and again apply nothing")
    func concurrentMigrations() async throws {
        let url = try await PostgresTestServer.makeEmptyDatabase(prefix: "vgx_migrate")
        let logger = Logger(label: "test")
        async let first = url.migrate(logger: logger)
        async let second = url.migrate(logger: logger)
        let applied = try await [first, second]
        // One process applies both migrations (the schema, result expiry), the other none.
        #expect(applied.map(\.count).sorted() == [0, 2], "\(applied)")
        #expect(try await url.migrate(logger: logger).isEmpty)
    }
}
