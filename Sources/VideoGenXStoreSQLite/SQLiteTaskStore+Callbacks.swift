import Foundation
import GRDB
import VideoGenXCore
import VideoGenXStore

extension SQLiteTaskStore: CallbackOutbox {
    public func claimDueCallbacks(now: Date, limit: Int, leaseSeconds: Double) async throws -> [CallbackDelivery] {
        try StoreArguments.checkCallbackClaim(limit: limit, leaseSeconds: leaseSeconds)
        return try await pool.write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM callback_deliveries WHERE state = 'pending' AND next_attempt_at <= ?
                ORDER BY next_attempt_at, id LIMIT ?
                """), arguments: [now.milliseconds, limit])
            return try rows.map { row in
                var delivery = try CallbackDelivery(row: row)
                delivery.attempts += 1
                delivery.nextAttemptAt = now.addingTimeInterval(leaseSeconds)
                try db.cachedStatement(sql: "UPDATE callback_deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ?")
                    .execute(arguments: [delivery.attempts, delivery.nextAttemptAt.milliseconds, delivery.id])
                return delivery
            }
        }
    }

    public func recordCallbackAttempt(_ id: String, outcome: CallbackAttemptOutcome, at now: Date) async throws {
        let (state, status, error, next, delivered) = outcome.recorded(at: now)
        try await pool.write { db in
            try db.cachedStatement(sql: """
                UPDATE callback_deliveries SET state = ?, last_status = ?, last_error = ?,
                    next_attempt_at = COALESCE(?, next_attempt_at), delivered_at = ?
                WHERE id = ?
                """).execute(arguments: [state.rawValue, status, error, next?.milliseconds, delivered?.milliseconds, id])
            guard db.changesCount == 1 else { throw StoreError(.notFound, "no callback delivery \(id)") }
        }
    }

    public func callbacks(of taskID: TaskID) async throws -> [CallbackDelivery] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM callback_deliveries WHERE task_id = ? ORDER BY created_at, id", arguments: [taskID.rawValue])
                .map(CallbackDelivery.init(row:))
        }
    }

    /// Writes `task` and, when it has just reached a terminal state and has a callback URL,
    /// enqueues its webhook in the same transaction (the outbox pattern).
    static func persist(_ task: TaskRecord, _ db: Database) throws {
        try task.update(db)
        guard task.status.isTerminal, let url = task.callbackURL else { return }
        let now = task.updatedAt.milliseconds
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO callback_deliveries (id, task_id, user_id, url, event, state, attempts, created_at, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
            """).execute(arguments: [
                CallbackDelivery.messageID(of: task), task.id.rawValue, task.userID, url, "task.\(task.status.apiName)", now, now,
            ])
    }
}

extension CallbackDelivery {
    /// Reads a row of `callback_deliveries`.
    init(row: Row) throws {
        guard let taskID = TaskID(rawValue: row["task_id"]), let state = State(rawValue: row["state"]) else {
            throw StoreError(.storage, "unreadable row in callback_deliveries: \(row)")
        }
        self.init(
            id: row["id"], taskID: taskID, userID: row["user_id"], url: row["url"], event: row["event"], state: state,
            attempts: row["attempts"], createdAt: Date(milliseconds: row["created_at"]) ?? .distantPast,
            nextAttemptAt: Date(milliseconds: row["next_attempt_at"]) ?? .distantPast, lastStatus: row["last_status"],
            lastError: row["last_error"], deliveredAt: Date(milliseconds: row["delivered_at"])
        )
    }
}
