import NIOCore

/// Commands written together and the promises of their replies, in order.
struct RESPWrite: Sendable {
    /// The encoded commands.
    var bytes: ByteBuffer
    /// One promise per command, answered in the order the commands were written.
    var replies: [EventLoopPromise<RESPValue>]
}

/// Pairs each reply with its command: Redis answers in order, so replies fulfil the oldest waiting
/// promise first. That is what lets many commands be in flight on one connection (pipelining).
/// When the connection closes or fails, every waiting command fails.
final class RESPCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = RESPWrite
    typealias OutboundOut = ByteBuffer

    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>(initialCapacity: 16)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let write = unwrapOutboundIn(data)
        waiting.append(contentsOf: write.replies)
        context.write(wrapOutboundOut(write.bytes), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let reply = waiting.popFirst() else {
            // A reply nobody asked for: the stream is out of step; start again.
            context.fireErrorCaught(RedisError.protocolViolation("unsolicited reply"))
            context.close(promise: nil)
            return
        }
        reply.succeed(value)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(RedisError.unavailable("connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error as? RedisError ?? RedisError.unavailable("\(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        while let reply = waiting.popFirst() {
            reply.fail(error)
        }
    }
}
