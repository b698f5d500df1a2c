import Foundation
import Logging
import PostgresNIO
import VideoGenXStorePostgres

/// The throwaway PostgreSQL cluster `scripts/with-postgres.sh` starts once per test run
/// (`make test` runs the suites inside it): its URL, and a fresh migrated database per fixture.
/// Outside that script the PostgreSQL cases are left out; with `CI=true` they are kept and fail
/// when the server is missing, so CI never skips them.
public enum PostgresTestServer {
    /// The cluster's admin URL, when a cluster was started for this run.
    public static let url: String? = ProcessInfo.processInfo.environment["VIDEOGENX_TEST_POSTGRES_URL"]

    /// Whether PostgreSQL cases run: a server was started, or this is CI (where a missing server
    /// must fail the run rather than skip).
    public static let enabled: Bool = url != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// The admin URL, or an error saying how to get one.
    public static func requireURL() throws -> PostgresStoreURL {
        guard let url else {
            throw TestServerError("no PostgreSQL for the tests: run them through scripts/with-postgres.sh (make test does)")
        }
        return try PostgresStoreURL(url)
    }

    /// Creates an empty database on the run's cluster and returns its URL.
    public static func makeEmptyDatabase(prefix: String = "vgx") async throws -> PostgresStoreURL {
        let admin = try requireURL()
        let name = prefix + "_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await admin.administer("CREATE DATABASE \(name)", logger: Logger(label: "test.postgres"))
        var url = admin
        url.database = name
        return url
    }

    /// Creates an empty database, migrates it, and returns its URL (as text, for child
    /// processes) and client configuration with at most `maximumConnections` connections.
    public static func makeDatabase(maximumConnections: Int = 4) async throws -> (url: String, configuration: PostgresClient.Configuration) {
        let url = try await makeEmptyDatabase()
        let configuration = url.configuration(maximumConnections: maximumConnections)
        try await url.migrate(logger: Logger(label: "test.postgres"))
        return ("postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)?sslmode=disable", configuration)
    }

    /// A setup failure of the test servers.
    public struct TestServerError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String

        /// An error saying `description`.
        public init(_ description: String) {
            self.description = description
        }
    }
}
