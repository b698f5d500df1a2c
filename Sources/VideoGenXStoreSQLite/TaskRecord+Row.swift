import Foundation
import GRDB
import Synchronization
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

    /// `INSERT INTO tasks (..., change_seq) VALUES (?, ..., <the change sequence + 1>)`: the
    /// row takes the next change number as it is written (the insert trigger advances the
    /// sequence to it).
    static let insertSQL = """
        INSERT INTO tasks (\(columns.joined(separator: ", ")), change_seq) \
        VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")), (SELECT seq FROM change_sequence WHERE id = 1) + 1)
        """

    /// Decodes a row of `tasks` (`SELECT *`, `RETURNING *`, or any statement naming every
    /// column) by column name: the names are matched once per column layout
    /// (``TaskColumnLayout``), so a row costs what reading by position costs. Throws
    /// ``StoreError`` `storage` for missing columns or unreadable content.
    init(row: Row, requests: RequestCache? = nil) throws {
        let at = try TaskColumnLayout.of(row).positions
        guard let id = TaskID(rawValue: row[at[0]]),
              let status = TaskStatus(rawValue: row[at[2]]),
              let priority = TaskPriority(rawValue: row[at[3]])
        else {
            throw StoreError(.storage, "unreadable task row \(row)")
        }
        let request: GenerationSpec
        if let cached = requests?.request(for: id.rawValue) {
            request = cached
        } else {
            request = try Self.decode(GenerationSpec.self, row[at[4]])
            requests?.remember(request, for: id.rawValue)
        }
        self.init(
            id: id, userID: row[at[1]], status: status, priority: priority, request: request, model: row[at[5]],
            batchKey: row[at[6]], attempt: row[at[7]], fencingToken: row[at[8]], leaseOwner: row[at[9]],
            leaseExpiresAt: Date(milliseconds: row[at[10]]), progress: row[at[11]], stage: row[at[12]],
            result: try (row[at[13]] as String?).map { try Self.decode(TaskResult.self, $0) },
            error: try (row[at[14]] as String?).map { try Self.decode(TaskFailure.self, $0) }, idempotencyKey: row[at[15]],
            cancelRequested: row[at[16]], useFallback: row[at[17]], checkpointRef: row[at[18]], traceContext: row[at[19]],
            callbackURL: row[at[20]], createdAt: Date(milliseconds: row[at[21]]) ?? .distantPast,
            updatedAt: Date(milliseconds: row[at[22]]) ?? .distantPast, startedAt: Date(milliseconds: row[at[23]]),
            finishedAt: Date(milliseconds: row[at[24]]), availableAt: Date(milliseconds: row[at[25]]) ?? .distantPast,
            tier: (row[at[26]] as String?).flatMap(Tier.init(rawValue:))
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

/// Where each of ``TaskRecord/columns`` sits in the rows of one statement, found by name the
/// first time a column layout is seen and remembered (a store issues a handful of layouts).
struct TaskColumnLayout: Sendable {
    /// The position of each of ``TaskRecord/columns``, in that order.
    let positions: [Int]

    private static let known = Mutex<[[String]: TaskColumnLayout]>([:])

    /// The layout of `row`'s statement.
    /// - Throws: ``StoreError`` `storage` naming a column the row lacks.
    static func of(_ row: Row) throws -> TaskColumnLayout {
        let names = Array(row.columnNames)
        if let layout = known.withLock({ $0[names] }) { return layout }
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name.lowercased()] == nil {
            index[name.lowercased()] = position
        }
        let positions = try TaskRecord.columns.map { column in
            guard let position = index[column] else { throw StoreError(.storage, "a task row lacks the column \(column)") }
            return position
        }
        let layout = TaskColumnLayout(positions: positions)
        known.withLock { $0[names] = layout }
        return layout
    }
}
