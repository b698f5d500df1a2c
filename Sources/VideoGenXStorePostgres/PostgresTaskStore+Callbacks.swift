import Foundation
import Logging
import PostgresNIO
import VideoGenXCore
import VideoGenXStore

extension PostgresTaskStore: CallbackOutbox {
    /// One statement takes the due deliveries with `SKIP LOCKED`: dispatchers in several workers
    /// never take the same delivery.
    public func claimDueCallbacks(now: Date, limit: Int, leaseSeconds: Double) async throws -> [CallbackDelivery] {
        try StoreArguments.checkCallbackClaim(limit: limit, leaseSeconds: leaseSeconds)
        let rows = try await connection("claiming callbacks") { connection in
            try await connection.query("""
                UPDATE callback_deliveries SET attempts = attempts + 1,
                    next_attempt_at = \(now.addingTimeInterval(leaseSeconds).milliseconds)
                WHERE id IN (
                    SELECT id FROM callback_deliveries WHERE state = 'pending' AND next_attempt_at <= \(now.milliseconds)
                    ORDER BY next_attempt_at, id LIMIT \(Int64(limit)) FOR UPDATE SKIP LOCKED
                )
                RETURNING *
                """, logger: self.logger).collect().map(CallbackDelivery.init(postgres:))
        }
        return rows.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func recordCallbackAttempt(_ id: String, outcome: CallbackAttemptOutcome, at now: Date) async throws {
        let (state, status, error, next, delivered) = outcome.recorded(at: now)
        let updated = try await connection("recording a callback attempt") { connection in
            try await connection.query("""
                UPDATE callback_deliveries SET state = \(state.rawValue), last_status = \(status.map(Int64.init)),
                    last_error = \(error), next_attempt_at = COALESCE(\(next?.milliseconds), next_attempt_at),
                    delivered_at = \(delivered?.milliseconds)
                WHERE id = \(id) RETURNING 1
                """, logger: self.logger).collect().count
        }
        guard updated == 1 else { throw StoreError(.notFound, "no callback delivery \(id)") }
    }

    public func callbacks(of taskID: TaskID) async throws -> [CallbackDelivery] {
        try await connection("reading callbacks") { connection in
            try await connection.query("""
                SELECT * FROM callback_deliveries WHERE task_id = \(taskID.rawValue) ORDER BY created_at, id
                """, logger: self.logger).collect().map(CallbackDelivery.init(postgres:))
        }
    }

    /// Writes `task` and, when it has just reached a terminal state and has a callback URL,
    /// enqueues its webhook in the same transaction (the outbox pattern).
    static func persist(_ task: TaskRecord, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query(try task.postgresUpdate(), logger: logger)
        guard task.status.isTerminal, let url = task.callbackURL else { return }
        let now = task.updatedAt.milliseconds
        try await connection.query("""
            INSERT INTO callback_deliveries (id, task_id, user_id, url, event, state, attempts, created_at, next_attempt_at)
            VALUES (\(CallbackDelivery.messageID(of: task)), \(task.id.rawValue), \(task.userID), \(url),
                \("task.\(task.status.apiName)"), 'pending', 0, \(now), \(now))
            ON CONFLICT (id) DO NOTHING
            """, logger: logger)
    }
}

extension CallbackDelivery {
    /// Reads a row of `callback_deliveries` by column name.
    init(postgres row: PostgresRow) throws {
        let cells = row.makeRandomAccess()
        do {
            guard let taskID = TaskID(rawValue: try cells["task_id"].decode(String.self)),
                  let state = State(rawValue: try cells["state"].decode(String.self))
            else {
                throw StoreError(.storage, "unreadable row in callback_deliveries")
            }
            self.init(
                id: try cells["id"].decode(String.self), taskID: taskID, userID: try cells["user_id"].decode(String.self),
                url: try cells["url"].decode(String.self), event: try cells["event"].decode(String.self), state: state,
                attempts: Int(try cells["attempts"].decode(Int64.self)),
                createdAt: Date(milliseconds: try cells["created_at"].decode(Int64.self)) ?? .distantPast,
                nextAttemptAt: Date(milliseconds: try cells["next_attempt_at"].decode(Int64.self)) ?? .distantPast,
                lastStatus: try cells["last_status"].decode(Int64?.self).map(Int.init),
                lastError: try cells["last_error"].decode(String?.self),
                deliveredAt: Date(milliseconds: try cells["delivered_at"].decode(Int64?.self))
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.storage, "unreadable row in callback_deliveries", underlying: error)
        }
    }
}
