import Crypto
import NIOCore
import NIOPosix
import Synchronization

/// A small Redis client on SwiftNIO: a fixed pool of connections, each made on first use and
/// again after it closes; commands are pipelined (many in flight on one connection, replies
/// matched in order); every call has a timeout; scripts run by `EVALSHA`, falling back to `EVAL`
/// when the server does not know them. After a failed connect a connection slot refuses at once
/// for `retryDelay`, so a Redis outage costs callers an error, not a connect timeout each.
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
    private let group: any EventLoopGroup
    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    /// A client for `configuration`; connects lazily.
    public init(_ configuration: Configuration, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = group
        slots = (0..<max(1, configuration.connections)).map { _ in Slot() }
    }

    /// Sends one command and returns its reply.
    /// - Throws: ``RedisError`` — `.server` for an error reply, `.unavailable` / `.timeout` when
    ///   no reply came.
    public func send(_ arguments: [String]) async throws -> RESPValue {
        let reply = try await pipeline([arguments])[0]
        if case .error(let message) = reply { throw RedisError.server(message) }
        return reply
    }

    /// Sends commands in one write and returns their replies in order; error replies are
    /// returned as `.error` values, not thrown.
    /// - Throws: ``RedisError`` `.unavailable` / `.timeout` when the replies did not all come.
    public func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let slot = slots[next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        let channel = try await connection(slot).get()
        return try await Self.write(commands, on: channel, timeout: configuration.commandTimeout).get()
    }

    /// Runs `script` with `keys` and `arguments`: by its SHA-1, and by its source when the server
    /// has not cached it yet (after a restart or `SCRIPT FLUSH`).
    /// - Throws: ``RedisError`` as ``send(_:)``.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        let tail = [String(keys.count)] + keys + arguments
        do {
            return try await send(["EVALSHA", script.sha1] + tail)
        } catch RedisError.server(let message) where message.hasPrefix("NOSCRIPT") {
            return try await send(["EVAL", script.source] + tail)
        }
    }

    /// Closes every connection.
    public func close() async {
        for slot in slots {
            let channel: (any Channel)? = slot.state.withLock { state in
                defer { state = .idle(downUntil: nil, cause: nil) }
                if case .ready(let channel) = state { return channel }
                return nil
            }
            try? await channel?.close()
        }
    }

    // MARK: Connections

    /// One pooled connection's state.
    final class Slot: Sendable {
        enum State {
            /// Not connected; connects on next use unless `downUntil` is still ahead.
            case idle(downUntil: NIODeadline?, cause: RedisError?)
            case connecting(EventLoopFuture<any Channel>)
            case ready(any Channel)
        }

        let state = Mutex<State>(.idle(downUntil: nil, cause: nil))
    }

    /// The slot's channel, connecting it first when needed.
    private func connection(_ slot: Slot) -> EventLoopFuture<any Channel> {
        let loop = group.any()
        return slot.state.withLock { state -> EventLoopFuture<any Channel> in
            switch state {
            case .ready(let channel) where channel.isActive:
                return channel.eventLoop.makeSucceededFuture(channel)
            case .connecting(let future):
                return future
            case .idle(let downUntil?, let cause) where NIODeadline.now() < downUntil:
                return loop.makeFailedFuture(cause ?? RedisError.unavailable("not connected"))
            case .idle, .ready:
                let future = connect(on: loop)
                state = .connecting(future)
                future.whenComplete { [retryDelay = configuration.retryDelay] result in
                    slot.state.withLock { state in
                        switch result {
                        case .success(let channel): state = .ready(channel)
                        case .failure(let error):
                            state = .idle(downUntil: .now() + retryDelay, cause: error as? RedisError ?? .unavailable("\(error)"))
                        }
                    }
                    if case .success(let channel) = result {
                        channel.closeFuture.whenComplete { _ in
                            slot.state.withLock { state in
                                if case .ready(let current) = state, current === channel { state = .idle(downUntil: nil, cause: nil) }
                            }
                        }
                    }
                }
                return future
            }
        }
    }

    /// A new connection, logged in and on the configured database.
    private func connect(on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let url = configuration.url
        let timeout = configuration.commandTimeout
        return ClientBootstrap(group: loop)
            .connectTimeout(configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(RESPDecoder()))
                    try channel.pipeline.syncOperations.addHandler(RESPCommandHandler())
                }
            }
            .connect(host: url.host, port: url.port)
            .flatMapError { error in
                loop.makeFailedFuture(RedisError.unavailable("cannot connect to \(url.host):\(url.port): \(error)"))
            }
            .flatMap { channel in
                var setup: [[String]] = []
                if let password = url.password {
                    setup.append(url.user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
                }
                if url.database != 0 { setup.append(["SELECT", String(url.database)]) }
                guard !setup.isEmpty else { return channel.eventLoop.makeSucceededFuture(channel) }
                return Self.write(setup, on: channel, timeout: timeout).flatMapThrowing { replies in
                    for case .error(let message) in replies {
                        channel.close(promise: nil)
                        throw RedisError.server(message)
                    }
                    return channel
                }
            }
    }

    /// Writes `commands` in one flush and gathers their replies, failing them all after `timeout`
    /// (and closing the connection, whose later replies would no longer be wanted).
    private static func write(_ commands: [[String]], on channel: any Channel, timeout: TimeAmount) -> EventLoopFuture<[RESPValue]> {
        let loop = channel.eventLoop
        var bytes = channel.allocator.buffer(capacity: 64 * commands.count)
        for command in commands {
            RESPEncoder.write(command, into: &bytes)
        }
        let replies = commands.map { _ in loop.makePromise(of: RESPValue.self) }
        let written = loop.makePromise(of: Void.self)
        written.futureResult.whenFailure { error in
            for reply in replies {
                reply.fail(RedisError.unavailable("write failed: \(error)"))
            }
        }
        channel.writeAndFlush(RESPWrite(bytes: bytes, replies: replies), promise: written)
        let deadline = loop.scheduleTask(in: timeout) {
            for reply in replies {
                reply.fail(RedisError.timeout)
            }
            channel.close(promise: nil)
        }
        let all = EventLoopFuture.whenAllSucceed(replies.map(\.futureResult), on: loop)
        all.whenComplete { _ in deadline.cancel() }
        return all
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
