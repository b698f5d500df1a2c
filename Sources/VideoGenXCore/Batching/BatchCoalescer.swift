import Synchronization

/// Runs requests that arrive while a batch is in flight together in a later batch: at most
/// `maxInFlight` batches run at once, each of at most `maximumBatch` requests, and a lone request
/// runs at once (no waiting for company), so batches form by themselves under load. For work whose
/// round trip costs more than the work itself: Redis commands (one write and one read for many),
/// rate-limit checks (one script call for many) and SQLite's group commit (many writes, one
/// transaction and one fsync).
public final class BatchCoalescer<Request: Sendable, Reply: Sendable>: Sendable {
    private struct Waiting: Sendable {
        var request: Request
        var reply: CheckedContinuation<Reply, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var inFlight = 0
    }

    private let maxInFlight: Int
    private let maximumBatch: Int
    private let run: @Sendable ([Request]) async throws -> [Reply]
    private let state = Mutex(State())

    /// A coalescer handing batches to `run`, which answers each request, in order.
    public init(maxInFlight: Int = 1, maximumBatch: Int = 256, run: @escaping @Sendable ([Request]) async throws -> [Reply]) {
        self.maxInFlight = max(1, maxInFlight)
        self.maximumBatch = max(1, maximumBatch)
        self.run = run
    }

    /// The reply to `request`, from the batch it went in.
    /// - Throws: what that batch's run threw (every request in the batch gets it).
    public func submit(_ request: Request) async throws -> Reply {
        try await withCheckedThrowingContinuation { reply in
            let batch: [Waiting]? = state.withLock { state in
                state.waiting.append(Waiting(request: request, reply: reply))
                guard state.inFlight < maxInFlight else { return nil }
                state.inFlight += 1
                return take(from: &state)
            }
            if let batch { Task { await self.drain(startingWith: batch) } }
        }
    }

    /// Runs `batch` and answers it, then keeps running whatever queued meanwhile.
    private func drain(startingWith batch: [Waiting]) async {
        var batch = batch
        while true {
            do {
                let replies = try await run(batch.map(\.request))
                guard replies.count == batch.count else { throw MismatchedReplies(replies: replies.count, requests: batch.count) }
                for (waiting, reply) in zip(batch, replies) { waiting.reply.resume(returning: reply) }
            } catch {
                for waiting in batch { waiting.reply.resume(throwing: error) }
            }
            let next: [Waiting]? = state.withLock { state in
                guard !state.waiting.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return take(from: &state)
            }
            guard let next else { return }
            batch = next
        }
    }

    private func take(from state: inout State) -> [Waiting] {
        guard state.waiting.count > maximumBatch else {
            defer { state.waiting = [] }
            return state.waiting
        }
        defer { state.waiting.removeFirst(maximumBatch) }
        return Array(state.waiting.prefix(maximumBatch))
    }
}

/// A batch's run answered a different number of replies than it had requests.
public struct MismatchedReplies: Error, CustomStringConvertible {
    /// Replies the run returned.
    public let replies: Int
    /// Requests in the batch.
    public let requests: Int

    public var description: String { "\(replies) replies for a batch of \(requests)" }
}
