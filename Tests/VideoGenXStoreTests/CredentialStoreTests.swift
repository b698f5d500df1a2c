import Foundation
import Testing
import VideoGenXCore
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXStoreSQLite

/// The credential contract, run against both drivers (PostgreSQL shares the task store's pool).
@Suite("Credential store contract")
struct CredentialStoreTests {
    /// A fresh credential store of `kind`, and what keeps it alive (a folder or a running store).
    func store(_ kind: StoreKind) async throws -> (any CredentialStore, StoreFixture) {
        let fixture = try await StoreFixture(kind)
        switch kind {
        case .sqlite:
            return (try SQLiteCredentialStore(path: fixture.directory.appendingPathComponent("credentials.sqlite").path), fixture)
        case .postgres:
            let tasks = try #require(fixture.store as? PostgresTaskStore)
            return (PostgresCredentialStore(sharing: tasks), fixture)
        }
    }

    @Test("Keys are stored, listed per user, revoked once (revoking again keeps the first time), and ids are unique", arguments: StoreKind.allCases)
    func keys(kind: StoreKind) async throws {
        let (store, fixture) = try await store(kind)
        defer { withExtendedLifetime(fixture) {} }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let alice = APIKeyRecord(id: "vk_A", userID: "alice", tier: .free, name: "laptop", sealedSecret: [1, 2, 3], createdAt: start)
        try await store.addAPIKey(alice)
        try await store.addAPIKey(APIKeyRecord(id: "vk_B", userID: "bob", tier: .paid, name: "", sealedSecret: [4], createdAt: start.addingTimeInterval(1)))
        await expectStoreError(.invalidArgument) { try await store.addAPIKey(alice) }
        #expect(try await store.apiKey(id: "vk_A") == alice)
        #expect(try await store.apiKeys(userID: nil).map(\.id) == ["vk_A", "vk_B"])
        #expect(try await store.apiKeys(userID: "bob").map(\.tier) == [.paid])
        let revoked = try await store.revokeAPIKey(id: "vk_A", at: start.addingTimeInterval(60))
        #expect(revoked.revokedAt == start.addingTimeInterval(60))
        #expect(try await store.revokeAPIKey(id: "vk_A", at: start.addingTimeInterval(120)).revokedAt == start.addingTimeInterval(60))
        await expectStoreError(.notFound) { try await store.revokeAPIKey(id: "vk_nope", at: start) }
    }

    @Test("A nonce is fresh once per key until it expires; the same nonce of another key is its own", arguments: StoreKind.allCases)
    func nonces(kind: StoreKind) async throws {
        let (store, fixture) = try await store(kind)
        defer { withExtendedLifetime(fixture) {} }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let expires = now.addingTimeInterval(600)
        #expect(try await store.recordNonce("n-0123456789abcdef", keyID: "vk_A", expiresAt: expires, now: now))
        #expect(try await !store.recordNonce("n-0123456789abcdef", keyID: "vk_A", expiresAt: expires, now: now.addingTimeInterval(599)))
        #expect(try await store.recordNonce("n-0123456789abcdef", keyID: "vk_B", expiresAt: expires, now: now))
        #expect(try await store.recordNonce("n-0123456789abcdef", keyID: "vk_A", expiresAt: expires.addingTimeInterval(600), now: now.addingTimeInterval(601)))
        #expect(try await !store.recordNonce("n-0123456789abcdef", keyID: "vk_A", expiresAt: expires, now: now.addingTimeInterval(602)))
    }
}
