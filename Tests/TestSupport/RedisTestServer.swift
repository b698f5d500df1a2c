import Foundation

/// The throwaway Redis `scripts/with-redis.sh` starts once per test run (`make test` runs the
/// suites inside it). Outside that script the Redis cases are left out; with `CI=true` they are
/// kept and fail when the server is missing, so CI never skips them.
public enum RedisTestServer {
    /// The run's server, `redis://127.0.0.1:PORT`, when one was started.
    public static let url: String? = ProcessInfo.processInfo.environment["VIDEOGENX_TEST_REDIS_URL"]

    /// Whether Redis cases run: a server was started, or this is CI.
    public static let enabled: Bool = url != nil || ProcessInfo.processInfo.environment["CI"] == "true"

    /// The URL, or an error saying how to get one.
    public static func requireURL() throws -> String {
        guard let url else {
            throw PostgresTestServer.TestServerError("no Redis for the tests: run them through scripts/with-redis.sh (make test does)")
        }
        return url
    }

    /// The `redis-server` binary: the script's, else the one on the PATH.
    static var binary: URL? {
        ProcessInfo.processInfo.environment["VIDEOGENX_TEST_REDIS_BIN"].map { URL(fileURLWithPath: $0) } ?? ToolServer.program("redis-server")
    }
}

/// A Redis of one test's own, for fault tests that stop it and start it again on the same port
/// (the run's shared server must stay up for the other suites). Nothing persists across a stop.
public final class PrivateRedisServer: Sendable {
    private let server: ToolServer
    /// `AUTH` password, if the server requires one.
    public let password: String?

    /// A server on a free loopback port, not started yet.
    public init(password: String? = nil) throws {
        server = try ToolServer()
        self.password = password
    }

    /// Its loopback port.
    public var port: Int { server.port }

    /// `redis://[:password@]127.0.0.1:PORT`.
    public var url: String {
        "redis://" + (password.map { ":\($0)@" } ?? "") + "127.0.0.1:\(port)"
    }

    /// Starts `redis-server` and waits until it accepts connections.
    public func start() async throws {
        guard let binary = RedisTestServer.binary else { throw PostgresTestServer.TestServerError("redis-server not found (make deps)") }
        var arguments = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"]
        if let password { arguments += ["--requirepass", password] }
        try await server.start(binary, arguments: arguments)
    }

    /// Kills the server (SIGKILL).
    public func stop() {
        server.stop()
    }
}
