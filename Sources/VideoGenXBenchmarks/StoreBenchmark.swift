import Foundation
import GRDB
import VideoGenXClient
import VideoGenXCore
import VideoGenXPlatform
import VideoGenXStore
import VideoGenXStoreSQLite

/// Measures ``SQLiteTaskStore`` throughput — inserts, claims (capacity 1 and 8), completes —
/// next to the same SQL statements issued directly through GRDB on an identical schema, in the
/// same run, alternating rounds. Reports median operations per second and their ratio.
public struct StoreBenchmark: Sendable {
    /// Tasks per phase. Default 2,000.
    public var tasks: Int
    /// Rounds per side. Default 3.
    public var rounds: Int
    /// Commit durability of both sides. Default `.full` (the store's default).
    var durability: SQLiteTaskStore.Durability

    /// Creates the benchmark; defaults as documented on each property.
    ///
    /// - Parameter powerLossSafe: `true` (default) commits with `synchronous = FULL`, `false`
    ///   with `NORMAL` (crash-safe only).
    public init(tasks: Int = 2000, rounds: Int = 3, powerLossSafe: Bool = true) {
        self.tasks = tasks
        self.rounds = rounds
        self.durability = powerLossSafe ? .full : .normal
    }

    /// Median operations per second of one operation on both sides.
    public struct Line: Sendable {
        /// Operation name.
        public var operation: String
        /// Our store, one value per round.
        public var store: [Double]
        /// Raw GRDB statements, one value per round.
        public var raw: [Double]
        /// `median(store) / median(raw)` (target ≥ 0.7).
        public var ratio: Double { store.median / raw.median }
    }

    /// Runs every round and returns one line per operation.
    public func run(log: (String) -> Void) async throws -> [Line] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-storebench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = try GenerationRequest(text: "benchmark", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        let names = ["insert", "claim (capacity 1)", "complete", "claim (capacity 8, tasks/s)"]
        var lines = names.map { Line(operation: $0, store: [], raw: []) }
        for round in 1...rounds {
            let ours = try await measureStore(path: directory.appendingPathComponent("store-\(round).sqlite").path, spec: spec)
            let raw = try await measureRaw(path: directory.appendingPathComponent("raw-\(round).sqlite").path, spec: spec)
            for i in lines.indices {
                lines[i].store.append(ours[i])
                lines[i].raw.append(raw[i])
            }
            log("round \(round): store \(ours.map { String(format: "%.0f", $0) }) raw \(raw.map { String(format: "%.0f", $0) }) ops/s")
        }
        return lines
    }

    private func measureStore(path: String, spec: GenerationSpec) async throws -> [Double] {
        let store = try SQLiteTaskStore(path: path, durability: durability)
        let result = TaskResult(videoKey: "v", durationSeconds: 15, width: 1280, height: 720, fps: 30, codec: "hevc", sizeBytes: 1)
        return try await QueuePhases(
            tasks: tasks,
            insert: { i in _ = try await store.create(NewTask(userID: "bench", request: spec, priority: TaskPriority(rawValue: i % 4) ?? .p2)) },
            claim: { capacity in try await store.claim(worker: "w", capacity: capacity, leaseSeconds: 60) },
            complete: { task in _ = try await store.complete(task.id, token: task.fencingToken, result: result) }
        ).measure()
    }

    private func measureRaw(path: String, spec: GenerationSpec) async throws -> [Double] {
        _ = try SQLiteTaskStore(path: path, durability: durability) // creates the same schema
        let queue = try RawSQLQueue(path: path, durability: durability, spec: spec)
        return try await QueuePhases(
            tasks: tasks, insert: { i in try await queue.insert(priority: i % 4) }, claim: { try await queue.claim(capacity: $0) },
            complete: { claimed in try await queue.complete(id: claimed.0, token: claimed.1) }
        ).measure()
    }
}

/// The baseline: the statements the store issues, written directly against GRDB (cached
/// prepared statements, as the store uses) with no record mapping, JSON or scheduling logic —
/// what the queue would cost if it were only its SQL.
private struct RawSQLQueue: Sendable {
    let pool: DatabasePool
    let requestJSON: String

    init(path: String, durability: SQLiteTaskStore.Durability, spec: GenerationSpec) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: durability == .full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        requestJSON = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
    }

    func insert(priority: Int) async throws {
        let now = Date()
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let id = TaskID.make(at: now).rawValue
        let json = requestJSON
        try await pool.write { db in
            let values: [(any DatabaseValueConvertible)?] = [
                id, "bench", "queued", priority, json, "procedural", "k", 0, 0, nil, nil, 0,
                "queued", nil, nil, nil, false, false, nil, nil, nil, ms, ms, nil, nil, ms,
            ]
            try db.cachedStatement(sql: """
                INSERT INTO tasks (id, user_id, status, priority, request, model, batch_key, attempt, fencing_token,
                lease_owner, lease_expires_at, progress, stage, result, error, idempotency_key, cancel_requested,
                use_fallback, checkpoint_ref, trace_context, callback_url, created_at, updated_at, started_at,
                finished_at, available_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: StatementArguments(values))
        }
    }

    func claim(capacity: Int) async throws -> [(String, Int64)] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        return try await pool.write { db in
            var lanes: [[String]] = []
            for priority in 0..<4 {
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT id, created_at FROM tasks
                    WHERE status = 'queued' AND priority = ? AND available_at <= ?
                    ORDER BY created_at, id LIMIT ?
                    """), arguments: [priority, now, capacity])
                lanes.append(rows.map { $0[0] as String })
            }
            // Take rows across the lanes (plain rotation, no weights) so the same index regions
            // are touched as by the store's weighted choice.
            var ids: [String] = []
            var position = 0
            while ids.count < capacity, lanes.contains(where: { position < $0.count }) {
                for lane in lanes where position < lane.count && ids.count < capacity {
                    ids.append(lane[position])
                }
                position += 1
            }
            _ = try String.fetchOne(db.cachedStatement(sql: "SELECT lane_credits FROM queue_state WHERE id = 1"))
            var claimed: [(String, Int64)] = []
            for id in ids.prefix(capacity) {
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    UPDATE tasks SET status = 'processing', fencing_token = fencing_token + 1, lease_owner = ?,
                        lease_expires_at = ?, started_at = COALESCE(started_at, ?), stage = 'claimed', updated_at = ?
                    WHERE id = ? AND status = 'queued'
                    RETURNING *
                    """), arguments: ["w", now + 60_000, now, now, id])
                else { continue }
                claimed.append((id, row[8]))
            }
            try db.cachedStatement(sql: "UPDATE queue_state SET lane_credits = ? WHERE id = 1").execute(arguments: ["0,0,0,0"])
            return claimed
        }
    }

    func complete(id: String, token: Int64) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await pool.write { db in
            _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tasks WHERE id = ?"), arguments: [id])
            try db.cachedStatement(sql: """
                UPDATE tasks SET status = ?, attempt = ?, fencing_token = ?, lease_owner = ?, lease_expires_at = ?,
                progress = ?, stage = ?, result = ?, error = ?, cancel_requested = ?, use_fallback = ?, checkpoint_ref = ?,
                updated_at = ?, started_at = ?, finished_at = ?, available_at = ? WHERE id = ?
                """).execute(arguments: [
                    "succeeded", 0, token, nil, nil, 100, nil, "{}", nil, false, false, nil, now, now, now, now, id,
                ])
        }
    }
}
