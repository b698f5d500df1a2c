import NIOCore
import NIOPosix
import Synchronization

/// The connections of a ``RedisClient``: a fixed set of slots, each connected on first use and
/// again after its connection closes (logged in and on the configured database), used round-robin.
/// After a failed connect a slot refuses at once for `retryDelay`.
final class RedisConnectionPool: Sendable {
    private let configuration: RedisClient.Configuration
    private let group: any EventLoopGroup
    private let slots: [Slot]
    private let next = Atomic<Int>(0)

    /// A pool for `configuration`; connects lazily.
    init(_ configuration: RedisClient.Configuration, group: any EventLoopGroup) {
        self.configuration = configuration
        self.group = group
        slots = (0..<max(1, configuration.connections)).map { _ in Slot() }
    }

    /// Writes `commands` in one flush on the next connection and returns their replies in order
    /// (error replies as `.error` values).
    /// - Throws: ``RedisError`` `.unavailable` / `.timeout` when the replies did not all come.
    func pipeline(_ commands: [[String]]) async throws -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        let slot = slots[next.wrappingAdd(1, ordering: .relaxed).oldValue % slots.count]
        let channel = try await connection(slot).get()
        return try await Self.write(commands, on: channel, timeout: configuration.commandTimeout).get()
    }

    /// Closes every connection.
    func close() async {
        for slot in slots {
            let channel: (any Channel)? = slot.state.withLock { state in
                defer { state = .idle(downUntil: nil, cause: nil) }
                if case .ready(let channel) = state { return channel }
                return nil
            }
            try? await channel?.close()
        }
    }

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
