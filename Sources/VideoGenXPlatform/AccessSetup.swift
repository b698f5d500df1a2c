import Foundation
import Logging
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore

/// Authentication for the roles that serve the API: the credential store (`store.url`'s), the
/// secrets key that seals API-key secrets, the authenticator, and the local admin key, created on first start and
/// written 0600 to `<data dir>/admin-key.json`.
struct AccessSetup {
    let credentials: any CredentialStore
    let box: SecretBox
    let authenticator: APIKeyAuthenticator
    let adminKeyPath: String
    let logger: Logger

    /// Authentication over `credentials` with the secrets key named by `configuration`.
    init(_ configuration: ServeConfiguration, credentials: any CredentialStore, logger: Logger) throws {
        let data = configuration.dataDirectory
        self.credentials = credentials
        box = try Self.secretBox(dataDirectory: data, secretsKeyFile: configuration.secretsKeyFile)
        authenticator = APIKeyAuthenticator(
            credentials: credentials, secrets: box, toleranceSeconds: configuration.timestampToleranceSeconds,
            allowBearer: configuration.allowBearer
        )
        adminKeyPath = data.appendingPathComponent(ClientCredentials.adminFileName).path
        self.logger = logger
    }

    /// The box of the secrets key: `secretsKeyFile`, else `<data directory>/secrets.key`
    /// (created 0600 with 32 random bytes when missing).
    static func secretBox(dataDirectory: URL, secretsKeyFile: String?) throws -> SecretBox {
        let file = secretsKeyFile.map { URL(fileURLWithPath: $0) } ?? dataDirectory.appendingPathComponent("secrets.key")
        return SecretBox(key: try KeyFile.loadOrCreate(file.lastPathComponent, in: file.deletingLastPathComponent()))
    }

    /// Creates the local admin key if no key exists yet.
    func ensureAdminKey() async throws {
        guard try await credentials.apiKeys(userID: nil).isEmpty else { return }
        let (key, secret) = try await APIKeyIssuer(credentials: credentials, secrets: box).issue(userID: "local", tier: .admin, name: "local admin")
        try ClientCredentials(keyID: key.id, secret: secret, user: key.userID, tier: key.tier.rawValue).write(to: adminKeyPath)
        FileHandle.standardOutput.write(Data("Created the local admin API key \(key.id); the CLI uses \(adminKeyPath)\n".utf8))
        logger.notice("created the local admin API key", metadata: ["key.id": "\(key.id)", "key.file": "\(adminKeyPath)"])
    }
}
