import ArgumentParser
import Foundation
import Logging
import VideoGenXPlatform

/// `videogenx migrate`: applies the task store's schema migrations and exits (the roles also
/// migrate at start, under an advisory lock on PostgreSQL, so running this first is optional).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the task store's schema migrations (store.url) and exit."
    )

    @Option(name: .customLong("store-url"), help: "sqlite:///PATH or postgres://USER@HOST:5432/DB?sslmode=… (also VIDEOGENX_STORE_URL); the password comes from VIDEOGENX_STORE_PASSWORD, else the file VIDEOGENX_STORE_PASSWORD_FILE names.")
    var storeURL: String?

    func run() async throws {
        guard let url = storeURL ?? ProcessInfo.processInfo.environment["VIDEOGENX_STORE_URL"] else {
            FileHandle.standardError.write(Data("error: --store-url (or VIDEOGENX_STORE_URL) is required\n".utf8))
            throw ExitCode(2)
        }
        do {
            let location = try StoreLocation(url: url)
            let password = try ServeConfiguration.storePassword(passwordFile: ProcessInfo.processInfo.environment["VIDEOGENX_STORE_PASSWORD_FILE"])
            let applied = try await location.migrate(password: password)
            print(applied.isEmpty ? "\(location): up to date" : "\(location): applied \(applied.joined(separator: ", "))")
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: configuration: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            throw RuntimeFailure(message: "migrating \(url.split(separator: "@").last ?? ""): \(error)")
        }
    }
}
