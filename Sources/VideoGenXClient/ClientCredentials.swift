import Foundation

/// An API key as the CLI keeps it: a JSON file `{"key_id", "secret", "user", "tier"}` written
/// 0600. `serve` writes the local admin's to `<data dir>/admin-key.json` on first start; client
/// commands find one through `--key-file`, then `VIDEOGENX_KEY_FILE`, then `./data/admin-key.json`.
public struct ClientCredentials: Codable, Sendable, Hashable {
    /// The key id (`X-Api-Key`).
    public var keyID: String
    /// The secret.
    public var secret: String
    /// The key's owner.
    public var user: String
    /// The owner's tier.
    public var tier: String

    enum CodingKeys: String, CodingKey {
        case keyID = "key_id", secret, user, tier
    }

    /// Creates credentials.
    public init(keyID: String, secret: String, user: String, tier: String) {
        self.keyID = keyID
        self.secret = secret
        self.user = user
        self.tier = tier
    }

    /// The file name `serve` uses in its data directory.
    public static let adminFileName = "admin-key.json"

    /// The credentials in `path`.
    /// - Throws: when the file is missing or not a key file.
    public static func load(_ path: String) throws -> ClientCredentials {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        return try JSONDecoder().decode(ClientCredentials.self, from: data)
    }

    /// The key file a client command uses: `explicit`, else `VIDEOGENX_KEY_FILE`, else
    /// `./data/admin-key.json`.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        explicit ?? environment["VIDEOGENX_KEY_FILE"] ?? "./data/\(adminFileName)"
    }

    /// Writes the credentials to `path`, readable by the owner only.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard FileManager.default.createFile(atPath: path, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
