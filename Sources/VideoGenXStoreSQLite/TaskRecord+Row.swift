import Foundation
import GRDB
import VideoGenXCore
import VideoGenXStore

/// Reading and writing ``TaskRecord`` as a row of the `tasks` table (times in Unix milliseconds,
/// JSON in text columns).
extension TaskRecord {
    /// All columns, in the order ``insertArguments`` binds them.
    static let columns = [
        "id", "user_id", "status", "priority", "request", "model", "batch_key", "attempt", "fencing_token",
        "lease_owner", "lease_expires_at", "progress", "stage", "result", "error", "idempotency_key",
        "cancel_requested", "use_fallback", "checkpoint_ref", "trace_context", "callback_url", "created_at",
        "updated_at", "started_at", "finished_at", "available_at", "tier",
    ]

    /// `INSERT INTO tasks (...) VALUES (?, ...)`.
    static let insertSQL = "INSERT INTO tasks (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"

    /// Decodes a `SELECT *` (or `RETURNING *`) row of `tasks`, whose columns come in schema
    /// order, the order of ``columns`` (a test checks it); positions are used because name
    /// look-ups dominated the claim path. Throws ``StoreError`` `storage` for unreadable content.
    init(row: Row, requests: RequestCache? = nil) throws {
        guard row.count >= Self.columns.count,
              let id = TaskID(rawValue: row[0]),
              let status = TaskStatus(rawValue: row[2]),
              let priority = TaskPriority(rawValue: row[3])
        else {
            throw StoreError(.storage, "unreadable task row \(row)")
        }
        let request: GenerationSpec
        if let cached = requests?.request(for: id.rawValue) {
            request = cached
        } else {
            request = try Self.decode(GenerationSpec.self, row[4])
            requests?.remember(request, for: id.rawValue)
        }
        self.init(
            id: id, userID: row[1], status: status, priority: priority, request: request, model: row[5], batchKey: row[6],
            attempt: row[7], fencingToken: row[8], leaseOwner: row[9], leaseExpiresAt: Date(milliseconds: row[10]),
            progress: row[11], stage: row[12], result: try (row[13] as String?).map { try Self.decode(TaskResult.self, $0) },
            error: try (row[14] as String?).map { try Self.decode(TaskFailure.self, $0) }, idempotencyKey: row[15],
            cancelRequested: row[16], useFallback: row[17], checkpointRef: row[18], traceContext: row[19],
            callbackURL: row[20], createdAt: Date(milliseconds: row[21]) ?? .distantPast,
            updatedAt: Date(milliseconds: row[22]) ?? .distantPast, startedAt: Date(milliseconds: row[23]),
            finishedAt: Date(milliseconds: row[24]), availableAt: Date(milliseconds: row[25]) ?? .distantPast,
            tier: (row[26] as String?).flatMap(Tier.init(rawValue:))
        )
    }

    /// Values for ``insertSQL``.
    func insertArguments() throws -> StatementArguments {
        StatementArguments(try columnValues())
    }

    /// Every column's value, in ``columns`` order.
    func columnValues() throws -> [(any DatabaseValueConvertible)?] {
        [
            id.rawValue, userID, status.rawValue, priority.rawValue, try Self.encode(request), model, batchKey,
            attempt, fencingToken, leaseOwner, leaseExpiresAt?.milliseconds, progress, stage,
            try result.map(Self.encode), try error.map(Self.encode), idempotencyKey, cancelRequested, useFallback,
            checkpointRef, traceContext, callbackURL, createdAt.milliseconds, updatedAt.milliseconds,
            startedAt?.milliseconds, finishedAt?.milliseconds, availableAt.milliseconds, tier?.rawValue,
        ]
    }
}

extension TaskRecord {
    /// The columns a task's life changes; the request, owner and keys never change.
    static let mutableColumns = [
        "status", "attempt", "fencing_token", "lease_owner", "lease_expires_at", "progress", "stage", "result",
        "error", "cancel_requested", "use_fallback", "checkpoint_ref", "updated_at", "started_at", "finished_at",
        "available_at",
    ]

    /// `UPDATE tasks SET <mutable columns> = ? WHERE id = ?`.
    static let updateSQL = "UPDATE tasks SET \(mutableColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"

    /// Writes the mutable columns of this record over its row.
    func update(_ db: Database) throws {
        let values: [(any DatabaseValueConvertible)?] = [
            status.rawValue, attempt, fencingToken, leaseOwner, leaseExpiresAt?.milliseconds, progress, stage,
            try result.map(Self.encode), try error.map(Self.encode), cancelRequested, useFallback, checkpointRef,
            updatedAt.milliseconds, startedAt?.milliseconds, finishedAt?.milliseconds, availableAt.milliseconds,
            id.rawValue,
        ]
        try db.cachedStatement(sql: Self.updateSQL).execute(arguments: StatementArguments(values))
    }

    /// The task with `id`, or `notFound`.
    static func load(_ db: Database, _ id: TaskID, requests: RequestCache? = nil) throws -> TaskRecord {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tasks WHERE id = ?"), arguments: [id.rawValue]) else {
            throw StoreError.notFound(id)
        }
        return try TaskRecord(row: row, requests: requests)
    }

    /// The task with `id` if `token` is its current lease, or `notFound` / `staleLease`.
    static func leased(_ db: Database, _ id: TaskID, token: Int64, requests: RequestCache? = nil) throws -> TaskRecord {
        try load(db, id, requests: requests).requireLease(token)
    }
}
