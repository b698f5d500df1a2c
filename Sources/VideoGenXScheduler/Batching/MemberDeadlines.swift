import Synchronization
import VideoGenXStore

/// How long a batch member may take in the two stages no sampler step measures: opening
/// (fetching assets, taking the model, starting its encoder) and finishing after its last step
/// (ffmpeg ending the file, probe and thumbnail, upload, completion). The step watchdog covers
/// the steps between.
public struct MemberDeadlines: Sendable, Hashable {
    /// Seconds a member may spend opening (`worker.open_timeout_seconds`). Default 600.
    public var openSeconds: Double
    /// Seconds a member may spend finishing after its last step (`worker.finish_timeout_seconds`). Default 1800.
    public var finishSeconds: Double

    /// Deadlines; defaults as documented on each property.
    public init(openSeconds: Double = 600, finishSeconds: Double = 1800) {
        self.openSeconds = openSeconds
        self.finishSeconds = finishSeconds
    }

    /// A member went past a deadline: its attempt fails with ``code`` (retryable).
    struct Passed: Error, CustomStringConvertible {
        /// `open_timeout` or `finish_timeout`.
        let code: String
        /// What the member was doing and the limit it passed.
        let description: String
    }

    /// The deadline `member` has passed at `now`, if any.
    func passed(by member: BatchMember, now: MonotonicClock.Instant) -> Passed? {
        if let since = member.finishingSince {
            guard since.duration(to: now) > .seconds(finishSeconds) else { return nil }
            return Passed(
                code: "finish_timeout",
                description: "the task did not finish (encoding, upload, completion) within \(Int(finishSeconds)) s of its last sampler step"
            )
        }
        guard member.standing == .opening, member.openedAt.duration(to: now) > .seconds(openSeconds) else { return nil }
        return Passed(
            code: "open_timeout",
            description: "the task did not finish opening (fetching its assets, taking its model, starting its encoder) within \(Int(openSeconds)) s"
        )
    }
}

/// The members of one rendering batch whose lives have not ended, for its deadline watch.
final class MemberWatch: Sendable {
    private let state = Mutex((members: [BatchMember](), closed: false))

    /// Watches `member` from now on.
    func add(_ member: BatchMember) {
        state.withLock { $0.members.append(member) }
    }

    /// No member will be added any more: the watch ends once the last one is over.
    func close() {
        state.withLock { $0.closed = true }
    }

    /// The members not over yet (the ended ones are dropped), and whether the batch is closed.
    func snapshot() -> (live: [BatchMember], closed: Bool) {
        state.withLock { state in
            state.members.removeAll { $0.isOver }
            return (state.members, state.closed)
        }
    }
}
