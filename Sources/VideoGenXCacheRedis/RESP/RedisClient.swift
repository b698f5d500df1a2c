import Crypto
import NIOCore
import NIOPosix
import VideoGenXCore

/// A small Redis client on SwiftNIO: a fixed pool of connections (``RedisConnectionPool``), each
/// made on first use and again after it closes; commands are pipelined (many in flight on one
/// connection, replies matched in order), and commands sent while others are in flight are
/// written together (one write, one wake-up for their replies); every call has a timeout;
/// scripts run by `EVALSHA`, falling back to `EVAL` when the server does not know them. After a
/// failed connect a connection slot refuses at once for `retryDelay`, so a Redis outage costs
/// callers an error, not a connect timeout each.
public final class RedisClient: Sendable {
    /// How the client connects and how long it waits.
    public struct Configuration: Sendable {
        /// The server.
        public var url: RedisURL
        /// Connections in the pool (commands are spread round-robin). Default 4.
        public var connections: Int = 4
        /// Longest wait for a reply (or the replies of a pipeline). Default 1 s.
        public var commandTimeout: TimeAmount = .seconds(1)
        /// Longest wait for a TCP connection. Default 1 s.
        public var connectTimeout: TimeAmount = .seconds(1)
        /// After a failed connect, how long a slot fails at once before trying again. Default 1 s.
        public var retryDelay: TimeAmount = .seconds(1)

        /// Defaults for `url`.
        public init(url: RedisURL) {
            self.url = url
        }
    }

    /// The settings in use.
    public let configuration: Configuration
    private let connections: RedisConnectionPool
    /// Single commands, written together while others are in flight: one batch per connection.
    private let commands: BatchCoalescer<[String], RESPValue>

    /// A client for `configuration`; connects lazily.
    public init(_ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        let connections = RedisConnectionPool(configuration, group: group)
        self.connections = connections
        commands = BatchCoalescer(maxInFlight: max(1, configuration.connections)) { batch in try await connections.pipeline(batch) }
    }

    /// Sends one command and returns its reply.
    /// - Throws: ``RedisError`` — `.server` for an error reply, `.unavailable` / `.timeout` when
    ///   no reply came.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        try Self.checked(await commands.submit(arguments))
    }

    /// `reply`, or the error it carries.
    private static func checked(_ reply: RESPValue) throws -> RESPValue {
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Sends commands in one write and returns their replies in order; error replies are
    /// returned as `.error` values, not thrown.
    /// - Throws: ``RedisError`` `.unavailable` / `.timeout` when the replies did not all come.
    public func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        try await connections.pipeline(commands)
    }

    /// Runs `script` with `keys` and `arguments`: by its SHA-1, and by its source when the server
    /// has not cached it yet (after a restart or `SCRIPT FLUSH`).
    ///
    /// - Parameter coalesced: `true` (default): written together with other commands sent
    ///   meanwhile, as ``send(_:)``; `false`: written at once on its own, for a caller that
    ///   batches its work itself (``GCRABatcher``).
    /// - Throws: ``RedisError`` as ``send(_:)``.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String], coalesced: Bool = true) async throws -> RESPValue {
        let tail = [String(keys.count)] + keys + arguments
        func run(_ command: [String]) async throws -> RESPValue {
            if coalesced { return try await send(command) }
            return try Self.checked(try await connections.pipeline([command])[0])
        }
        do {
            return try await run(["EVALSHA", script.sha1] + tail)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await run(["EVAL", script.source] + tail)
        }
    }

    /// Closes every connection.
    public func close() async {
        await connections.close()
    }
}

/// A Lua script and its SHA-1, the name `EVALSHA` runs it by.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// Lower-case hex SHA-1 of the source.
    public let sha1: String

    /// A script of `source`.
    public init(_ source: String) {
        self.source = source
        sha1 = Insecure.SHA1.hash(data: Array(source.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
