import Foundation
import Logging
import PostgresNIO
import VideoGenXClient
import VideoGenXCore
import VideoGenXPlatform
import VideoGenXStore
import VideoGenXStorePostgres

/// Measures ``PostgresTaskStore`` — inserts, claims of 1, completes, claims of 8 — next to the
/// same statements issued directly through postgres-nio (no record decoding by name, no queue
/// rules, no deadline, no events), in the same run, alternating rounds, each round on a fresh
/// database. Reports median operations per second and their ratio, plus claims of 8 per round
/// trip against claims of 1 in tasks per second.
public struct PostgresStoreBenchmark: Sendable {
    /// The server; each round creates (and drops) its own database on it.
    public var url: PostgresStoreURL
    /// The password, if the server asks for one.
    public var password: String?
    /// Tasks per phase. Default 2,000.
    public var tasks: Int
    /// Rounds per side. Default 3.
    public var rounds: Int

    /// Creates the benchmark on the server `url` names; defaults as documented on each property.
    /// - Throws: ``ConfigurationError`` for `store.url` when `url` is not a postgres:// URL.
    public init(url: String, password: String? = nil, tasks: Int = 2000, rounds: Int = 3) throws {
        guard case .postgres(let parsed) = try StoreLocation(url: url) else {
            throw ConfigurationError(key: "store.url", reason: "the PostgreSQL benchmark needs a postgres:// URL")
        }
        self.url = parsed
        self.password = password
        self.tasks = tasks
        self.rounds = rounds
    }

    /// Runs every round and returns one line per operation (``StoreBenchmark/Line``).
    public func run(log: (String) -> Void) async throws -> [StoreBenchmark.Line] {
        let spec = try GenerationRequest(text: "benchmark", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        let names = ["insert", "claim (capacity 1)", "complete", "claim (capacity 8, tasks/s)"]
        var lines = names.map { StoreBenchmark.Line(operation: $0, store: [], raw: []) }
        let logger = Logger(label: "bench.postgres")
        for round in 1...rounds {
            // The side that goes first alternates, so neither always meets the server's
            // checkpoint after the previous round's writes.
            var ours: [Double] = []
            var raw: [Double] = []
            for side in round % 2 == 1 ? ["store", "raw"] : ["raw", "store"] {
                let rates = try await withDatabase("\(side)_\(round)", logger: logger) { configuration in
                    side == "store"
                        ? try await measureStore(configuration, spec: spec, logger: logger)
                        : try await measureRaw(configuration, spec: spec, logger: logger)
                }
                if side == "store" { ours = rates } else { raw = rates }
            }
            for i in lines.indices {
                lines[i].store.append(ours[i])
                lines[i].raw.append(raw[i])
            }
            log("round \(round): store \(ours.map { String(format: "%.0f", $0) }) raw \(raw.map { String(format: "%.0f", $0) }) ops/s")
        }
        return lines
    }

    /// Runs `body` on a new migrated database, dropped afterwards.
    private func withDatabase(
        _ suffix: String, logger: Logger, _ body: (PostgresClient.Configuration) async throws -> [Double]
    ) async throws -> [Double] {
        let name = "vgx_bench_\(suffix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await url.administer("CREATE DATABASE \(name)", password: password, logger: logger)
        var target = url
        target.database = name
        let configuration = target.configuration(password: password, maximumConnections: 4)
        try await target.migrate(password: password, logger: logger)
        let result = try await body(configuration)
        try await url.administer("DROP DATABASE \(name) WITH (FORCE)", password: password, logger: logger)
        return result
    }

    private func measureStore(_ configuration: PostgresClient.Configuration, spec: GenerationSpec, logger: Logger) async throws -> [Double] {
        let store = PostgresTaskStore(configuration: configuration, logger: logger)
        let result = TaskResult(videoKey: "v", durationSeconds: 15, width: 1280, height: 720, fps: 30, codec: "hevc", sizeBytes: 1)
        let phases = QueuePhases(
            tasks: tasks,
            insert: { i in _ = try await store.create(NewTask(userID: "bench", request: spec, priority: TaskPriority(rawValue: i % 4) ?? .p2)) },
            claim: { capacity in try await store.claim(worker: "w", capacity: capacity, leaseSeconds: 60) },
            complete: { task in _ = try await store.complete(task.id, token: task.fencingToken, result: result) }
        )
        return try await whileRunning({ try await store.run() }) { try await phases.measure() }
    }

    private func measureRaw(_ configuration: PostgresClient.Configuration, spec: GenerationSpec, logger: Logger) async throws -> [Double] {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let raw = RawPostgresQueue(client: client, request: String(decoding: try JSONEncoder().encode(spec), as: UTF8.self), logger: logger)
        let phases = QueuePhases(
            tasks: tasks, insert: { i in try await raw.insert(priority: i % 4) }, claim: { try await raw.claim(capacity: $0) },
            complete: { claimed in try await raw.complete(id: claimed.0, createdAt: claimed.1, token: claimed.2) }
        )
        return try await whileRunning({ await client.run() }) { try await phases.measure() }
    }

    /// `body`'s result, with `service` running beside it (cancelled after).
    private func whileRunning(
        _ service: @escaping @Sendable () async throws -> Void, _ body: () async throws -> [Double]
    ) async throws -> [Double] {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service() }
            defer { group.cancelAll() }
            return try await body()
        }
    }
}

/// The baseline: the statements ``PostgresTaskStore`` issues, sent directly through
/// postgres-nio with no record mapping, queue rules, deadline or events — what the queue would
/// cost if it were only its SQL.
private struct RawPostgresQueue: Sendable {
    let client: PostgresClient
    let request: String
    let logger: Logger

    func insert(priority: Int) async throws {
        let now = Date()
        let ms = now.milliseconds
        try await client.query("""
            INSERT INTO tasks (id, user_id, status, priority, request, model, batch_key, attempt, fencing_token, progress, stage,
                cancel_requested, use_fallback, created_at, updated_at, available_at)
            VALUES (\(TaskID.make(at: now).rawValue), 'bench', 'queued', \(Int64(priority)), \(request), 'procedural', 'k', 0, 0, 0,
                'queued', false, false, \(ms), \(ms), \(ms))
            """, logger: logger)
    }

    func claim(capacity: Int) async throws -> [(String, Int64, Int64)] {
        let now = Date().milliseconds
        let lanes: [Int64] = [0, 1, 2, 3]
        return try await client.withTransaction(logger: logger) { connection in
            var candidates: [(String, Int64)] = []
            for try await (id, _, created) in try await connection.query("""
                SELECT c.id, c.priority, c.created_at FROM unnest(\(lanes)::bigint[]) AS lane(priority)
                CROSS JOIN LATERAL (
                    SELECT id, priority, created_at FROM tasks
                    WHERE status = 'queued' AND priority = lane.priority AND available_at <= \(now)
                    ORDER BY created_at, id LIMIT \(Int64(capacity)) FOR UPDATE SKIP LOCKED
                ) c
                """, logger: logger).decode((String, Int64, Int64).self) {
                candidates.append((id, created))
            }
            let picks = Array(candidates.prefix(capacity))
            var claimed: [(String, Int64, Int64)] = []
            for try await (id, created, token) in try await connection.query("""
                UPDATE tasks SET status = 'processing', fencing_token = fencing_token + 1, lease_owner = 'w',
                    lease_expires_at = \(now + 60_000), started_at = COALESCE(started_at, \(now)), stage = 'claimed',
                    updated_at = \(now), version = version + 1
                WHERE id = ANY(\(picks.map(\.0))) AND created_at = ANY(\(picks.map(\.1))) AND status = 'queued'
                RETURNING id, created_at, fencing_token
                """, logger: logger).decode((String, Int64, Int64).self) {
                claimed.append((id, created, token))
            }
            return claimed
        }
    }

    func complete(id: String, createdAt: Int64, token: Int64) async throws {
        let now = Date().milliseconds
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("""
                SELECT id FROM tasks WHERE id = \(id) AND created_at BETWEEN \(createdAt - 1) AND \(createdAt + 1) FOR UPDATE
                """, logger: logger)
            try await connection.query("""
                UPDATE tasks SET status = 'succeeded', fencing_token = \(token), lease_owner = NULL, lease_expires_at = NULL,
                    progress = 100, stage = NULL, result = '{}', updated_at = \(now), finished_at = \(now), version = version + 1
                WHERE id = \(id) AND created_at = \(createdAt)
                """, logger: logger)
        }
    }
}
