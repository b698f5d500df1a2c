import Foundation
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore

/// API-key administration on a data directory, for `videogenx keys`: the same credential store
/// and secrets key the server uses.
public struct APIKeys: Sendable {
    let credentials: SQLiteCredentialStore
    let box: SecretBox

    /// No key has this id.
    public struct UnknownKey: Error, CustomStringConvertible {
        /// The id asked for.
        public var id: String
        /// `no API key <id>`.
        public var description: String { "no API key \(id)" }
    }

    /// Opens the keys of the server whose data lives in `dataDirectory`.
    /// - Throws: when the directory, store or secrets key cannot be opened.
    public init(dataDirectory: URL, secretsKeyFile: String? = nil) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        credentials = try SQLiteCredentialStore(path: dataDirectory.appendingPathComponent("credentials.sqlite").path)
        box = try AccessSetup.secretBox(dataDirectory: dataDirectory, secretsKeyFile: secretsKeyFile)
    }

    /// A new key of `user` on `tier`.
    public func create(user: String, tier: Tier, name: String) async throws -> ClientCredentials {
        let (key, secret) = try await APIKeyIssuer(credentials: credentials, secrets: box).issue(userID: user, tier: tier, name: name)
        return ClientCredentials(keyID: key.id, secret: secret, user: key.userID, tier: key.tier.rawValue)
    }

    /// Every key (or one user's), oldest first.
    public func list(user: String?) async throws -> [APIKeyRecord] {
        try await credentials.apiKeys(userID: user)
    }

    /// Revokes key `id`.
    /// - Throws: ``UnknownKey``.
    public func revoke(id: String) async throws -> APIKeyRecord {
        do {
            return try await credentials.revokeAPIKey(id: id, at: Date())
        } catch let error as StoreError where error.code == .notFound {
            throw UnknownKey(id: id)
        }
    }
}
