import ArgumentParser
import Foundation
import VideoGenXCore
import VideoGenXPlatform
import VideoGenXStore

/// `videogenx keys create|list|revoke`: manages API keys in a data directory (the server need not
/// be stopped: the store is shared safely).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke API keys.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Where the keys live.
    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The server's data directory (data_dir; also VIDEOGENX_DATA_DIR). (default: ./data)")
        var dataDir: String?

        @Option(name: .customLong("secrets-key-file"), help: "The key sealing API-key secrets (security.secrets_key_file; also VIDEOGENX_SECURITY_SECRETS_KEY_FILE). (default: DATA_DIR/secrets.key)")
        var secretsKeyFile: String?

        @Option(name: .customLong("store-url"), help: "The task store holding the keys (store.url; also VIDEOGENX_STORE_URL), e.g. postgres://USER@HOST:5432/DB; the password comes from VIDEOGENX_STORE_PASSWORD. (default: sqlite://DATA_DIR/tasks.sqlite)")
        var storeURL: String?

        /// Runs `body` with the keys of this location.
        func withKeys<Result: Sendable>(_ body: @escaping @Sendable (APIKeys) async throws -> Result) async throws -> Result {
            let environment = ProcessInfo.processInfo.environment
            do {
                return try await APIKeys.with(
                    // The server's own variables, so `keys create` run beside a server (a pod's
                    // shell, a cluster's config) seals with the key that server opens with.
                    dataDirectory: URL(fileURLWithPath: dataDir ?? environment["VIDEOGENX_DATA_DIR"] ?? "./data"),
                    secretsKeyFile: secretsKeyFile ?? environment["VIDEOGENX_SECURITY_SECRETS_KEY_FILE"],
                    storeURL: storeURL ?? environment["VIDEOGENX_STORE_URL"], body
                )
            } catch let error as ConfigurationError {
                FileHandle.standardError.write(Data("error: configuration: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; prints its id and secret once.")

        @Option(help: "The user the key acts for.")
        var user: String

        @Option(help: "free, paid or admin.")
        var tier: String

        @Option(help: "A label for operators.")
        var name = ""

        @Option(name: .customLong("output"), help: "Also write the key as a key file (0600) for the CLI's --key-file.")
        var output: String?

        @OptionGroup var location: Location

        func run() async throws {
            guard let tier = Tier(rawValue: tier) else {
                FileHandle.standardError.write(Data("error: --tier: must be free, paid or admin, got '\(self.tier)'\n".utf8))
                throw ExitCode(2)
            }
            guard !user.isEmpty, user.count <= 128 else {
                FileHandle.standardError.write(Data("error: --user: must be 1–128 characters\n".utf8))
                throw ExitCode(2)
            }
            let (user, name) = (self.user, self.name)
            let credentials = try await location.withKeys { try await $0.create(user: user, tier: tier, name: name) }
            print("key id: \(credentials.keyID)\nsecret: \(credentials.secret)\n(the secret is shown once; store it now)")
            if let output {
                try credentials.write(to: output)
                print("wrote \(output)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(help: "Only this user's keys.")
        var user: String?

        @OptionGroup var location: Location

        func run() async throws {
            let user = self.user
            for key in try await location.withKeys({ try await $0.list(user: user) }) {
                let state = key.revokedAt.map { "revoked \(ISO8601DateFormatter().string(from: $0))" } ?? "active"
                print("\(key.id)\t\(key.userID)\t\(key.tier.rawValue)\t\(state)\t\(key.name)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key; requests signed with it get 401 at once.")

        @Argument(help: "The key id.")
        var id: String

        @OptionGroup var location: Location

        func run() async throws {
            do {
                let id = self.id
                let key = try await location.withKeys { try await $0.revoke(id: id) }
                print("\(key.id) revoked")
            } catch let error as APIKeys.UnknownKey {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
