import Foundation
import PostgresNIO
import VideoGenXCore
import VideoGenXStore

extension TaskRecord {
    /// The columns a task is read with, in the order of ``init(postgres:requests:)``'s names.
    static let postgresColumns = """
        id, user_id, status, priority, request, model, batch_key, attempt, fencing_token, lease_owner, lease_expires_at,
        progress, stage, result, error, idempotency_key, cancel_requested, use_fallback, checkpoint_ref, trace_context,
        callback_url, created_at, updated_at, started_at, finished_at, available_at, tier
        """

    /// Decodes a row of `tasks` by column name (times in Unix milliseconds, JSON in text).
    /// - Throws: ``StoreError`` `storage` for unreadable content.
    init(postgres row: PostgresRow, requests: RequestCache? = nil) throws {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ name: String, _: T.Type = T.self) throws -> T {
            do {
                return try cells[name].decode(T.self)
            } catch {
                throw StoreError(.storage, "unreadable column \(name) of a task row", underlying: error)
            }
        }
        guard let id = TaskID(rawValue: try value("id", String.self)),
              let status = TaskStatus(rawValue: try value("status", String.self)),
              let priority = TaskPriority(rawValue: Int(try value("priority", Int64.self)))
        else {
            throw StoreError(.storage, "unreadable task row")
        }
        let request: GenerationSpec
        if let cached = requests?.request(for: id.rawValue) {
            request = cached
        } else {
            request = try Self.decode(GenerationSpec.self, try value("request", String.self))
            requests?.remember(request, for: id.rawValue)
        }
        self.init(
            id: id, userID: try value("user_id"), status: status, priority: priority, request: request,
            model: try value("model"), batchKey: try value("batch_key"), attempt: Int(try value("attempt", Int64.self)),
            fencingToken: try value("fencing_token"), leaseOwner: try value("lease_owner"),
            leaseExpiresAt: Date(milliseconds: try value("lease_expires_at", Int64?.self)),
            progress: Int(try value("progress", Int64.self)), stage: try value("stage"),
            result: try value("result", String?.self).map { try Self.decode(TaskResult.self, $0) },
            error: try value("error", String?.self).map { try Self.decode(TaskFailure.self, $0) },
            idempotencyKey: try value("idempotency_key"), cancelRequested: try value("cancel_requested"),
            useFallback: try value("use_fallback"), checkpointRef: try value("checkpoint_ref"),
            traceContext: try value("trace_context"), callbackURL: try value("callback_url"),
            createdAt: Date(milliseconds: try value("created_at", Int64.self)) ?? .distantPast,
            updatedAt: Date(milliseconds: try value("updated_at", Int64.self)) ?? .distantPast,
            startedAt: Date(milliseconds: try value("started_at", Int64?.self)),
            finishedAt: Date(milliseconds: try value("finished_at", Int64?.self)),
            availableAt: Date(milliseconds: try value("available_at", Int64.self)) ?? .distantPast,
            tier: try value("tier", String?.self).flatMap(Tier.init(rawValue:))
        )
    }

    /// `INSERT` of this (new) record.
    func postgresInsert() throws -> PostgresQuery {
        let request = try Self.encode(self.request)
        let result = try self.result.map(Self.encode)
        let error = try self.error.map(Self.encode)
        return """
            INSERT INTO tasks (id, user_id, status, priority, request, model, batch_key, attempt, fencing_token, lease_owner,
                lease_expires_at, progress, stage, result, error, idempotency_key, cancel_requested, use_fallback,
                checkpoint_ref, trace_context, callback_url, created_at, updated_at, started_at, finished_at, available_at, tier)
            VALUES (\(id.rawValue), \(userID), \(status.rawValue), \(Int64(priority.rawValue)), \(request), \(model), \(batchKey),
                \(Int64(attempt)), \(fencingToken), \(leaseOwner), \(leaseExpiresAt?.milliseconds), \(Int64(progress)), \(stage),
                \(result), \(error), \(idempotencyKey), \(cancelRequested), \(useFallback), \(checkpointRef), \(traceContext),
                \(callbackURL), \(createdAt.milliseconds), \(updatedAt.milliseconds), \(startedAt?.milliseconds),
                \(finishedAt?.milliseconds), \(availableAt.milliseconds), \(tier?.rawValue))
            """
    }

    /// `UPDATE` of the columns a task's life changes (the request, owner and keys never change),
    /// pruned to the task's partition.
    func postgresUpdate() throws -> PostgresQuery {
        let result = try self.result.map(Self.encode)
        let error = try self.error.map(Self.encode)
        return """
            UPDATE tasks SET status = \(status.rawValue), attempt = \(Int64(attempt)), fencing_token = \(fencingToken),
                lease_owner = \(leaseOwner), lease_expires_at = \(leaseExpiresAt?.milliseconds), progress = \(Int64(progress)),
                stage = \(stage), result = \(result), error = \(error), cancel_requested = \(cancelRequested),
                use_fallback = \(useFallback), checkpoint_ref = \(checkpointRef), updated_at = \(updatedAt.milliseconds),
                started_at = \(startedAt?.milliseconds), finished_at = \(finishedAt?.milliseconds),
                available_at = \(availableAt.milliseconds), version = version + 1
            WHERE id = \(id.rawValue) AND created_at = \(createdAt.milliseconds)
            """
    }
}

extension TaskID {
    /// The creation time the id carries, in Unix ms: the task's `created_at` is this or 1 ms
    /// later (the id rounds down, the column to nearest), so a lookup by id prunes to one
    /// partition with `created_at BETWEEN ms AND ms + 1`.
    var createdAtMilliseconds: Int64 {
        timestamp.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? 0
    }
}
