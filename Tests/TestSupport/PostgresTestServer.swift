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

    /// Creates an empty database, migrates it, and returns its URL (as text, for child
    /// processes) and client configuration with at most `maximumConnections` connections.
    public static func makeDatabase(maximumConnections: Int = 4) async throws -> (url: String, configuration: PostgresClient.Configuration) {
        let admin = try requireURL()
        let name = "vgx_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let logger = Logger(label: "test.postgres")
        let client = PostgresClient(configuration: admin.configuration(maximumConnections: 1), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var url = admin
        url.database = name
        let configuration = url.configuration(maximumConnections: maximumConnections)
        try await PostgresMigrations.migrate(configuration: configuration, logger: logger)
        return ("postgres://\(url.username)@\(url.host):\(url.port)/\(name)?sslmode=disable", configuration)
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
