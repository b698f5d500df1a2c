import VideoGenXStore
import GRDB

extension SQLiteTaskStore {
    /// The schema's migrations. Names are permanent: a shipped migration is never edited, a
    /// change is a new migration.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-26 create tasks and queue state") { db in
            try db.execute(sql: """
                CREATE TABLE tasks (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 3),
                    request TEXT NOT NULL,
                    model TEXT NOT NULL,
                    batch_key TEXT NOT NULL,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    fencing_token INTEGER NOT NULL DEFAULT 0,
                    lease_owner TEXT,
                    lease_expires_at INTEGER,
                    progress INTEGER NOT NULL DEFAULT 0,
                    stage TEXT,
                    result TEXT,
                    error TEXT,
                    idempotency_key TEXT,
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    use_fallback INTEGER NOT NULL DEFAULT 0,
                    checkpoint_ref TEXT,
                    trace_context TEXT,
                    callback_url TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    started_at INTEGER,
                    finished_at INTEGER,
                    available_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                -- The claim path: queued tasks of one lane, oldest first.
                CREATE INDEX tasks_claim ON tasks (status, priority, created_at, id);
                -- The reaper: processing tasks by lease expiry.
                CREATE INDEX tasks_lease ON tasks (status, lease_expires_at);
                -- A user's tasks, newest first, with or without a status filter.
                CREATE INDEX tasks_user_status ON tasks (user_id, status, id);
                CREATE INDEX tasks_user ON tasks (user_id, id);
                CREATE UNIQUE INDEX tasks_idempotency ON tasks (user_id, idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                -- Weighted round-robin credits of the priority lanes, one row: "c0,c1,c2,c3".
                CREATE TABLE queue_state (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    lane_credits TEXT NOT NULL
                );
                INSERT INTO queue_state (id, lane_credits) VALUES (1, '0,0,0,0');
                """)
        }
        migrator.registerMigration("2026-11-27 index finished tasks") { db in
            // Throughput estimates read the latest completions.
            try db.execute(sql: "CREATE INDEX tasks_finished ON tasks (status, finished_at)")
        }
        migrator.registerMigration("2026-11-27 create callback deliveries") { db in
            try db.execute(sql: """
                -- The webhook outbox: rows are added in the transaction that finishes a task.
                CREATE TABLE callback_deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    task_id TEXT NOT NULL REFERENCES tasks (id),
                    user_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    event TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    next_attempt_at INTEGER NOT NULL,
                    last_status INTEGER,
                    last_error TEXT,
                    delivered_at INTEGER
                ) WITHOUT ROWID;
                -- The dispatcher: pending deliveries by due time.
                CREATE INDEX callback_deliveries_due ON callback_deliveries (state, next_attempt_at);
                CREATE INDEX callback_deliveries_task ON callback_deliveries (task_id);
                """)
        }
        migrator.registerMigration("2026-11-27 count queued tasks") { db in
            // Queued tasks per (user, lane) and per lane (user_id ''), kept by triggers in the
            // transaction of every change, so caps and queue positions need no COUNT over the queue.
            try db.execute(sql: """
                CREATE TABLE queue_counts (
                    user_id TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    queued INTEGER NOT NULL,
                    PRIMARY KEY (user_id, priority)
                ) WITHOUT ROWID;
                INSERT INTO queue_counts (user_id, priority, queued)
                    SELECT user_id, priority, COUNT(*) FROM tasks WHERE status = 'queued' GROUP BY user_id, priority;
                INSERT INTO queue_counts (user_id, priority, queued)
                    SELECT '', priority, COUNT(*) FROM tasks WHERE status = 'queued' GROUP BY priority;
                CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks WHEN NEW.status = 'queued' BEGIN
                    INSERT INTO queue_counts (user_id, priority, queued) VALUES (NEW.user_id, NEW.priority, 1), ('', NEW.priority, 1)
                        ON CONFLICT (user_id, priority) DO UPDATE SET queued = queued + 1;
                END;
                CREATE TRIGGER tasks_count_enter AFTER UPDATE OF status ON tasks
                WHEN OLD.status <> 'queued' AND NEW.status = 'queued' BEGIN
                    INSERT INTO queue_counts (user_id, priority, queued) VALUES (NEW.user_id, NEW.priority, 1), ('', NEW.priority, 1)
                        ON CONFLICT (user_id, priority) DO UPDATE SET queued = queued + 1;
                END;
                CREATE TRIGGER tasks_count_leave AFTER UPDATE OF status ON tasks
                WHEN OLD.status = 'queued' AND NEW.status <> 'queued' BEGIN
                    UPDATE queue_counts SET queued = queued - 1 WHERE priority = OLD.priority AND user_id IN (OLD.user_id, '');
                END;
                CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks WHEN OLD.status = 'queued' BEGIN
                    UPDATE queue_counts SET queued = queued - 1 WHERE priority = OLD.priority AND user_id IN (OLD.user_id, '');
                END;
                """)
        }
        migrator.registerMigration("2026-11-27 index batch keys") { db in
            // The batcher's claim: queued tasks of one batch key, by lane and age.
            try db.execute(sql: "CREATE INDEX tasks_batch ON tasks (status, batch_key, priority, created_at, id)")
        }
        migrator.registerMigration("2026-11-27 record tiers") { db in
            // Appended, so the positional decoding of rows stays in column order.
            try db.execute(sql: "ALTER TABLE tasks ADD COLUMN tier TEXT")
        }
        migrator.registerMigration("2026-11-29 number task changes") { db in
            // Every change another process may need to hear of (create, status, progress, stage,
            // cancel request) takes the next number of one sequence; other processes on the same
            // file poll for numbers above the last they saw (DESIGN §8: SQLite polls a change
            // sequence). Heartbeats and lease renewals are not numbered. Appended, so the
            // positional decoding of rows stays in column order.
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE change_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL);
                INSERT INTO change_sequence (id, seq) VALUES (1, 0);
                CREATE INDEX tasks_change ON tasks (change_seq);
                CREATE TRIGGER tasks_change_insert AFTER INSERT ON tasks BEGIN
                    UPDATE change_sequence SET seq = seq + 1 WHERE id = 1;
                    UPDATE tasks SET change_seq = (SELECT seq FROM change_sequence WHERE id = 1) WHERE id = NEW.id;
                END;
                CREATE TRIGGER tasks_change_update AFTER UPDATE OF status, progress, stage, cancel_requested ON tasks
                WHEN OLD.status IS NOT NEW.status OR OLD.progress IS NOT NEW.progress OR OLD.stage IS NOT NEW.stage
                    OR OLD.cancel_requested IS NOT NEW.cancel_requested BEGIN
                    UPDATE change_sequence SET seq = seq + 1 WHERE id = 1;
                    UPDATE tasks SET change_seq = (SELECT seq FROM change_sequence WHERE id = 1) WHERE id = NEW.id;
                END;
                """)
        }
        migrator.registerMigration("2026-11-30 expire results") { db in
            // Retention: when a result's objects were deleted. Appended, so the positional
            // decoding of rows stays in column order; the partial index holds only the results
            // still to expire.
            try db.execute(sql: """
                ALTER TABLE tasks ADD COLUMN result_expired_at INTEGER;
                CREATE INDEX tasks_unexpired ON tasks (finished_at) WHERE status = 'succeeded' AND result_expired_at IS NULL;
                """)
        }
        migrator.registerMigration("2026-12-01 number inserts in the statement") { db in
            // The insert names its own change number (``TaskRecord/insertSQL``: the sequence + 1),
            // so the trigger only advances the sequence; it rewrote the whole new row (request
            // JSON included) to set the number, ~10 % of an insert's time. A row inserted without
            // a number (0) still gets one here.
            try db.execute(sql: """
                DROP TRIGGER tasks_change_insert;
                CREATE TRIGGER tasks_change_insert AFTER INSERT ON tasks BEGIN
                    UPDATE change_sequence SET seq = seq + 1 WHERE id = 1;
                    UPDATE tasks SET change_seq = (SELECT seq FROM change_sequence WHERE id = 1) WHERE NEW.change_seq = 0 AND id = NEW.id;
                END;
                """)
        }
        return migrator
    }
}
