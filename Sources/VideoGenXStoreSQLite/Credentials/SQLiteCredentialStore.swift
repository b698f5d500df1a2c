import Foundation
import GRDB
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The embedded ``CredentialStore``: its own SQLite file (`credentials.sqlite`, WAL) beside the
/// task store, so that the nonce insert every authenticated request makes does not contend with
/// the queue. It commits with `synchronous = NORMAL`: everything survives a process crash; a
/// power loss may forget the last moments of nonces (a replay window of at most the timestamp
/// tolerance, only across a machine crash) — documented in the README.
///
/// Nonces recorded at the same time are group-committed: one transaction for many requests,
/// each answered after its commit.
public final class SQLiteCredentialStore: CredentialStore {
    let pool: DatabasePool
    /// Nonce inserts are group-committed through this writer.
    let nonces: GroupCommitWriter
    /// When expired nonces are next swept (at most every 10 s, not on every insert).
    private let nextSweep = Mutex<Date>(.distantPast)

    /// Opens (creating and migrating if needed) the store at `path`.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA temp_store = MEMORY") // statement journals: see SQLiteTaskStore
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        nonces = GroupCommitWriter(pool: pool)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-27 create api keys and nonces") { db in
            try db.execute(sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    user_id TEXT NOT NULL,
                    tier TEXT NOT NULL,
                    name TEXT NOT NULL,
                    sealed_secret BLOB NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) WITHOUT ROWID;
                CREATE INDEX api_keys_user ON api_keys (user_id, created_at);
                -- Nonces of signed requests, kept for the timestamp window.
                CREATE TABLE api_nonces (
                    key_id TEXT NOT NULL,
                    nonce TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    PRIMARY KEY (key_id, nonce)
                ) WITHOUT ROWID;
                CREATE INDEX api_nonces_expiry ON api_nonces (expires_at);
                """)
        }
        return migrator
    }

    public func addAPIKey(_ key: APIKeyRecord) async throws {
        try await pool.write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM api_keys WHERE id = ?", arguments: [key.id]) == nil else {
                throw StoreError(.invalidArgument, "API key \(key.id) exists")
            }
            try db.execute(sql: """
                INSERT INTO api_keys (id, user_id, tier, name, sealed_secret, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [key.id, key.userID, key.tier.rawValue, key.name, Data(key.sealedSecret), key.createdAt.milliseconds, key.revokedAt?.milliseconds])
        }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_keys WHERE id = ?"), arguments: [id]).map(APIKeyRecord.init(row:))
        }
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        try await pool.read { db in
            let rows = if let userID {
                try Row.fetchAll(db, sql: "SELECT * FROM api_keys WHERE user_id = ? ORDER BY created_at, id", arguments: [userID])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM api_keys ORDER BY created_at, id")
            }
            return try rows.map(APIKeyRecord.init(row:))
        }
    }

    public func revokeAPIKey(id: String, at now: Date) async throws -> APIKeyRecord {
        try await pool.write { db in
            try db.execute(sql: "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?", arguments: [now.milliseconds, id])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]) else {
                throw StoreError(.notFound, "no API key \(id)")
            }
            return try APIKeyRecord(row: row)
        }
    }

    public func recordNonce(_ nonce: String, keyID: String, expiresAt: Date, now: Date) async throws -> Bool {
        let sweep = nextSweep.withLock { next in
            guard now >= next else { return false }
            next = now.addingTimeInterval(10)
            return true
        }
        // No savepoint: the INSERT is the one change that matters; were it to fail, the sweep's
        // deletion of expired nonces may stay, which is harmless.
        return try await nonces.write(savepoint: false) { db in
            if sweep {
                try db.cachedStatement(sql: "DELETE FROM api_nonces WHERE expires_at < ?").execute(arguments: [now.milliseconds])
            }
            // A live row refuses the nonce; an expired one the sweep has not reached yet is reused.
            try db.cachedStatement(sql: """
                INSERT INTO api_nonces (key_id, nonce, expires_at) VALUES (?, ?, ?)
                ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE api_nonces.expires_at < ?
                """).execute(arguments: [keyID, nonce, expiresAt.milliseconds, now.milliseconds])
            return db.changesCount == 1
        }
    }
}

extension APIKeyRecord {
    /// Reads a row of `api_keys`.
    init(row: Row) throws {
        guard let tier = Tier(rawValue: row["tier"]), let sealed: Data = row["sealed_secret"] else {
            throw StoreError(.storage, "unreadable row in api_keys")
        }
        self.init(
            id: row["id"], userID: row["user_id"], tier: tier, name: row["name"], sealedSecret: [UInt8](sealed),
            createdAt: Date(milliseconds: row["created_at"]) ?? .distantPast, revokedAt: Date(milliseconds: row["revoked_at"])
        )
    }
}
