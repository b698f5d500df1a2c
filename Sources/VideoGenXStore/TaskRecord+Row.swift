import Foundation
import GRDB
import VideoGenXCore

/// Reading and writing ``TaskRecord`` as a row of the `tasks` table (times in Unix milliseconds,
/// JSON in text columns).
extension TaskRecord {
    /// All columns, in the order ``insertArguments`` binds them.
    static let columns = [
        "id", "user_id", "status", "priority", "request", "model", "batch_key", "attempt", "fencing_token",
        "lease_owner", "lease_expires_at", "progress", "stage", "result", "error", "idempotency_key",
        "cancel_requested", "use_fallback", "checkpoint_ref", "trace_context", "callback_url", "created_at",
        "updated_at", "started_at", "finished_at", "available_at",
    ]

    /// `INSERT INTO tasks (...) VALUES (?, ...)`.
    static let insertSQL = "INSERT INTO tasks (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"

    /// Decodes a row; throws ``StoreError`` `storage` for unreadable content.
    init(row: Row) throws {
        guard let id = TaskID(rawValue: row["id"]),
              let status = TaskStatus(rawValue: row["status"]),
              let priority = TaskPriority(rawValue: row["priority"])
        else {
            throw StoreError(.storage, "unreadable task row \(String(describing: row["id"] as String?))")
        }
        self.id = id
        self.status = status
        self.priority = priority
        userID = row["user_id"]
        request = try Self.decode(GenerationSpec.self, row["request"])
        model = row["model"]
        batchKey = row["batch_key"]
        attempt = row["attempt"]
        fencingToken = row["fencing_token"]
        leaseOwner = row["lease_owner"]
        leaseExpiresAt = Date(milliseconds: row["lease_expires_at"])
        progress = row["progress"]
        stage = row["stage"]
        result = try (row["result"] as String?).map { try Self.decode(TaskResult.self, $0) }
        error = try (row["error"] as String?).map { try Self.decode(TaskFailure.self, $0) }
        idempotencyKey = row["idempotency_key"]
        cancelRequested = row["cancel_requested"]
        useFallback = row["use_fallback"]
        checkpointRef = row["checkpoint_ref"]
        traceContext = row["trace_context"]
        callbackURL = row["callback_url"]
        createdAt = Date(milliseconds: row["created_at"]) ?? .distantPast
        updatedAt = Date(milliseconds: row["updated_at"]) ?? .distantPast
        startedAt = Date(milliseconds: row["started_at"])
        finishedAt = Date(milliseconds: row["finished_at"])
        availableAt = Date(milliseconds: row["available_at"]) ?? .distantPast
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
            startedAt?.milliseconds, finishedAt?.milliseconds, availableAt.milliseconds,
        ]
    }

    static func encode<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.storage, "unreadable \(type) in the tasks table: \(error)")
        }
    }
}

extension Date {
    /// Unix time in whole milliseconds, the store's time format.
    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The date of Unix milliseconds, or `nil` for `nil`.
    init?(milliseconds: Int64?) {
        guard let milliseconds else { return nil }
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}

extension TaskRecord {
    /// `UPDATE tasks SET <every column but id> = ? WHERE id = ?`.
    static let updateSQL = "UPDATE tasks SET \(columns.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"

    /// Writes every column of this record over its row.
    func update(_ db: Database) throws {
        // The values start with the id; the UPDATE wants it last.
        let values = try columnValues()
        try db.execute(sql: Self.updateSQL, arguments: StatementArguments(Array(values.dropFirst()) + [values[0]]))
    }

    /// The task with `id`, or `notFound`.
    static func load(_ db: Database, _ id: TaskID) throws -> TaskRecord {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tasks WHERE id = ?", arguments: [id.rawValue]) else {
            throw StoreError.notFound(id)
        }
        return try TaskRecord(row: row)
    }

    /// The task with `id` if `token` is its current lease, or `notFound` / `staleLease`.
    static func leased(_ db: Database, _ id: TaskID, token: Int64) throws -> TaskRecord {
        let task = try load(db, id)
        guard task.status == .processing, task.fencingToken == token else {
            throw StoreError(.staleLease, "lease \(token) on task \(id) is no longer held (task is \(task.status.rawValue), current token \(task.fencingToken))")
        }
        return task
    }

    /// Moves to `next` if the state machine allows it, or throws `illegalTransition`.
    mutating func transition(to next: TaskStatus, at now: Date) throws {
        guard status.canTransition(to: next) else {
            throw StoreError.illegal(id, from: status, to: next)
        }
        status = next
        updatedAt = now
        if next.isTerminal {
            finishedAt = now
            leaseOwner = nil
            leaseExpiresAt = nil
            cancelRequested = false
        }
        if next == .queued {
            leaseOwner = nil
            leaseExpiresAt = nil
            stage = "queued"
        }
    }
}
