import Foundation
import Logging
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore

/// API-key administration for `videogenx keys`: the same credential store (`store.url`'s, the
/// data directory's SQLite file by default) and secrets key the server uses.
public struct APIKeys: Sendable {
    let credentials: any CredentialStore
    let box: SecretBox

    /// No key has this id.
    public struct UnknownKey: Error, CustomStringConvertible {
        /// The id asked for.
        public var id: String
        /// `no API key <id>`.
        public var description: String { "no API key \(id)" }
    }

    /// Runs `body` with the keys of the server whose data lives in `dataDirectory` and whose
    /// store `storeURL` names (default the SQLite file there); a PostgreSQL store's pool runs
    /// for as long as `body` does. The password comes from `VIDEOGENX_STORE_PASSWORD`, else the
    /// file `VIDEOGENX_STORE_PASSWORD_FILE` names, as for the server.
    /// - Throws: ``ConfigurationError`` for a bad `storeURL`; when the store or key cannot be opened.
    public static func with<Result: Sendable>(
        dataDirectory: URL, secretsKeyFile: String? = nil, storeURL: String? = nil,
        _ body: @escaping @Sendable (APIKeys) async throws -> Result
    ) async throws -> Result {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        var configuration = ServeConfiguration(dataDirectory: dataDirectory)
        configuration.store = try storeURL.map(StoreLocation.init(url:))
        configuration.storePassword = try ServeConfiguration.storePassword(
            passwordFile: ProcessInfo.processInfo.environment["VIDEOGENX_STORE_PASSWORD_FILE"]
        )
        let stores = try await Stores.open(configuration, logger: Logger(label: "videogenx.keys"))
        let keys = APIKeys(credentials: stores.credentials, box: try AccessSetup.secretBox(dataDirectory: dataDirectory, secretsKeyFile: secretsKeyFile))
        return try await stores.whileRunning { try await body(keys) }
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
