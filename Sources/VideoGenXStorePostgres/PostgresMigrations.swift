import Logging
import PostgresNIO
import VideoGenXStore

/// The PostgreSQL schema as versioned migrations (DESIGN §8). A shipped migration is never
/// edited; a change is a new one. ``PostgresStoreURL/migrate(password:logger:)`` applies the
/// missing ones in one transaction under an advisory lock, so processes starting together do
/// not race, and is idempotent: run again, it applies nothing.
public enum PostgresMigrations {
    /// A named, versioned schema change.
    struct Migration: Sendable {
        /// Permanent name, also its order.
        var name: String
        /// The statements, run one by one.
        var statements: [String]
    }

    /// The advisory lock key every migrating process takes (any fixed 64-bit number).
    static let lockKey: Int64 = 0x5647_585F_4D49_4752  // "VGX_MIGR"

    /// Every migration, oldest first.
    static let all: [Migration] = [
        Migration(name: "2026-11-29 create tasks, queue, callbacks and credentials", statements: [
            // Tasks, partitioned by month on created_at (Unix ms); the default partition takes
            // any row no monthly partition covers, so an insert never fails.
            """
            CREATE TABLE tasks (
                id text NOT NULL,
                user_id text NOT NULL,
                status text NOT NULL,
                priority bigint NOT NULL CHECK (priority BETWEEN 0 AND 3),
                request text NOT NULL,
                model text NOT NULL,
                batch_key text NOT NULL,
                attempt bigint NOT NULL DEFAULT 0,
                fencing_token bigint NOT NULL DEFAULT 0,
                lease_owner text,
                lease_expires_at bigint,
                progress bigint NOT NULL DEFAULT 0,
                stage text,
                result text,
                error text,
                idempotency_key text,
                cancel_requested boolean NOT NULL DEFAULT false,
                use_fallback boolean NOT NULL DEFAULT false,
                checkpoint_ref text,
                trace_context text,
                callback_url text,
                created_at bigint NOT NULL,
                updated_at bigint NOT NULL,
                started_at bigint,
                finished_at bigint,
                available_at bigint NOT NULL,
                tier text,
                version bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (id, created_at)
            ) PARTITION BY RANGE (created_at)
            """,
            "CREATE TABLE tasks_default PARTITION OF tasks DEFAULT",
            // The claim path: queued tasks of one lane (or one batch key and lane), oldest first.
            "CREATE INDEX tasks_claim ON tasks (priority, created_at, id) WHERE status = 'queued'",
            "CREATE INDEX tasks_batch ON tasks (batch_key, priority, created_at, id) WHERE status = 'queued'",
            // The reaper: processing tasks by lease expiry.
            "CREATE INDEX tasks_lease ON tasks (lease_expires_at) WHERE status = 'processing'",
            // A user's tasks, newest first, with or without a status filter; per-user caps.
            "CREATE INDEX tasks_user_status ON tasks (user_id, status, id)",
            "CREATE INDEX tasks_user ON tasks (user_id, id)",
            // Throughput estimates read the latest completions.
            "CREATE INDEX tasks_finished ON tasks (finished_at) WHERE status = 'succeeded'",
            // Idempotency keys are unique per user across partitions, so they get their own table.
            """
            CREATE TABLE task_idempotency (
                user_id text NOT NULL,
                idempotency_key text NOT NULL,
                task_id text NOT NULL,
                created_at bigint NOT NULL,
                PRIMARY KEY (user_id, idempotency_key)
            )
            """,
            // Every change of a task is announced (id, version, the changing process's
            // application_name) on commit; listeners re-read the row.
            """
            CREATE FUNCTION videogenx_notify_task() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('videogenx_tasks', NEW.id || ' ' || NEW.version || ' ' || current_setting('application_name'));
                RETURN NULL;
            END $$
            """,
            """
            CREATE TRIGGER tasks_notify AFTER INSERT OR UPDATE ON tasks
            FOR EACH ROW EXECUTE FUNCTION videogenx_notify_task()
            """,
            // The webhook outbox: rows are added in the transaction that finishes a task.
            """
            CREATE TABLE callback_deliveries (
                id text PRIMARY KEY,
                task_id text NOT NULL,
                user_id text NOT NULL,
                url text NOT NULL,
                event text NOT NULL,
                state text NOT NULL,
                attempts bigint NOT NULL DEFAULT 0,
                created_at bigint NOT NULL,
                next_attempt_at bigint NOT NULL,
                last_status bigint,
                last_error text,
                delivered_at bigint
            )
            """,
            "CREATE INDEX callback_deliveries_due ON callback_deliveries (next_attempt_at, id) WHERE state = 'pending'",
            "CREATE INDEX callback_deliveries_task ON callback_deliveries (task_id)",
            """
            CREATE TABLE api_keys (
                id text PRIMARY KEY,
                user_id text NOT NULL,
                tier text NOT NULL,
                name text NOT NULL,
                sealed_secret bytea NOT NULL,
                created_at bigint NOT NULL,
                revoked_at bigint
            )
            """,
            "CREATE INDEX api_keys_user ON api_keys (user_id, created_at)",
            // Nonces of signed requests, kept for the timestamp window: a replay is refused by
            // every api node.
            """
            CREATE TABLE api_nonces (
                key_id text NOT NULL,
                nonce text NOT NULL,
                expires_at bigint NOT NULL,
                PRIMARY KEY (key_id, nonce)
            )
            """,
            "CREATE INDEX api_nonces_expiry ON api_nonces (expires_at)",
        ]),
        Migration(name: "2026-11-30 expire results", statements: [
            // Retention: when a result's objects were deleted; the partial index holds only the
            // results still to expire.
            "ALTER TABLE tasks ADD COLUMN result_expired_at bigint",
            "CREATE INDEX tasks_unexpired ON tasks (finished_at) WHERE status = 'succeeded' AND result_expired_at IS NULL",
        ]),
    ]

    /// Applies the migrations `connection`'s database lacks, in one transaction; returns the
    /// names applied (``PostgresStoreURL/migrate(password:logger:)`` opens the connection).
    ///
    /// - Throws: ``StoreError`` `unavailable` when the server cannot be reached, `storage` when a
    ///   statement fails (the transaction is rolled back; nothing is half-applied).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await PostgresErrors.mapping("migrating the schema") {
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                    """, logger: logger)
                var done: Set<String> = []
                for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                    done.insert(name)
                }
                var applied: [String] = []
                for migration in all where !done.contains(migration.name) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
                    applied.append(migration.name)
                    logger.info("applied migration", metadata: ["migration.name": "\(migration.name)"])
                }
                return applied
            }
        }
    }
}
