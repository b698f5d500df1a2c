import Foundation
import Logging
import PostgresNIO
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The cluster ``CredentialStore``: API keys and request nonces in the task store's PostgreSQL,
/// so any api node accepts any key and a replayed nonce is refused by every node
/// (`INSERT … ON CONFLICT DO NOTHING`; expired nonces are swept at most every 10 s).
public final class PostgresCredentialStore: CredentialStore {
    let store: PostgresTaskStore
    /// When expired nonces are next swept.
    private let nextSweep = Mutex<Date>(.distantPast)

    /// Credentials in `store`'s database (its pool and deadline).
    public init(sharing store: PostgresTaskStore) {
        self.store = store
    }

    public func addAPIKey(_ key: APIKeyRecord) async throws {
        let inserted = try await store.connection("adding an API key") { connection in
            try await connection.query("""
                INSERT INTO api_keys (id, user_id, tier, name, sealed_secret, created_at, revoked_at)
                VALUES (\(key.id), \(key.userID), \(key.tier.rawValue), \(key.name), \(Data(key.sealedSecret)),
                    \(key.createdAt.milliseconds), \(key.revokedAt?.milliseconds))
                ON CONFLICT (id) DO NOTHING RETURNING 1
                """, logger: self.store.logger).collect().count
        }
        guard inserted == 1 else { throw StoreError(.invalidArgument, "API key \(key.id) exists") }
    }

    public func apiKey(id: String) async throws -> APIKeyRecord? {
        try await store.connection("reading an API key") { connection in
            try await connection.query("SELECT * FROM api_keys WHERE id = \(id)", logger: self.store.logger)
                .collect().first.map(APIKeyRecord.init(postgres:))
        }
    }

    public func apiKeys(userID: String?) async throws -> [APIKeyRecord] {
        try await store.connection("listing API keys") { connection in
            let rows = if let userID {
                try await connection.query(
                    "SELECT * FROM api_keys WHERE user_id = \(userID) ORDER BY created_at, id", logger: self.store.logger
                ).collect()
            } else {
                try await connection.query("SELECT * FROM api_keys ORDER BY created_at, id", logger: self.store.logger).collect()
            }
            return try rows.map(APIKeyRecord.init(postgres:))
        }
    }

    public func revokeAPIKey(id: String, at now: Date) async throws -> APIKeyRecord {
        let row = try await store.connection("revoking an API key") { connection in
            try await connection.query("""
                UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(now.milliseconds)) WHERE id = \(id) RETURNING *
                """, logger: self.store.logger).collect().first.map(APIKeyRecord.init(postgres:))
        }
        guard let row else { throw StoreError(.notFound, "no API key \(id)") }
        return row
    }

    public func recordNonce(_ nonce: String, keyID: String, expiresAt: Date, now: Date) async throws -> Bool {
        let sweep = nextSweep.withLock { next in
            guard now >= next else { return false }
            next = now.addingTimeInterval(10)
            return true
        }
        return try await store.connection("recording a nonce") { connection in
            if sweep {
                try await connection.query("DELETE FROM api_nonces WHERE expires_at < \(now.milliseconds)", logger: self.store.logger)
            }
            // A live row refuses the nonce; an expired one the sweep has not reached yet is reused.
            return try await connection.query("""
                INSERT INTO api_nonces (key_id, nonce, expires_at) VALUES (\(keyID), \(nonce), \(expiresAt.milliseconds))
                ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at
                    WHERE api_nonces.expires_at < \(now.milliseconds)
                RETURNING 1
                """, logger: self.store.logger).collect().count == 1
        }
    }
}

extension APIKeyRecord {
    /// Reads a row of `api_keys` by column name.
    init(postgres row: PostgresRow) throws {
        let cells = row.makeRandomAccess()
        do {
            guard let tier = Tier(rawValue: try cells["tier"].decode(String.self)) else {
                throw StoreError(.storage, "unreadable tier in api_keys")
            }
            self.init(
                id: try cells["id"].decode(String.self), userID: try cells["user_id"].decode(String.self), tier: tier,
                name: try cells["name"].decode(String.self), sealedSecret: [UInt8](try cells["sealed_secret"].decode(Data.self)),
                createdAt: Date(milliseconds: try cells["created_at"].decode(Int64.self)) ?? .distantPast,
                revokedAt: Date(milliseconds: try cells["revoked_at"].decode(Int64?.self))
            )
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.storage, "unreadable row in api_keys", underlying: error)
        }
    }
}
