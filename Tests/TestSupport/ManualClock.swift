import Synchronization
import VideoGenXStore

/// A clock that moves only when a test moves it: sleepers wake when ``advance(by:)`` or
/// ``advance(to:)`` passes their deadline. Unlike postgres-nio's `MockClock` it tells the test
/// the earliest pending deadline, so a test can step time event by event
/// (``advance(atMost:whileAsleep:within:until:)``). Wrap it in `MonotonicClock(_:)` to hand it to the code.
public final class ManualClock: Clock, Sendable {
    public typealias Instant = MonotonicClock.Instant

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var cancelled: Set<Int> = []
        var nextID = 0
    }

    private let state = Mutex(State())

    /// A clock at instant zero with nobody asleep.
    public init() {}

    public var now: Instant { state.withLock { $0.now } }
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The earliest deadline anyone sleeps until, if anyone sleeps.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// The deadlines sleepers wait for now.
    public var deadlines: [Instant] { state.withLock { $0.sleepers.values.map(\.deadline).sorted() } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case wait, resume, cancel }
                let action = state.withLock { state -> Action in
                    if state.cancelled.remove(id) != nil || Task.isCancelled { return .cancel }
                    if deadline <= state.now { return .resume }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return .wait
                }
                switch action {
                case .wait: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let sleeper = state.sleepers.removeValue(forKey: id) else {
                    // Not asleep yet: the sleep sees this when it starts.
                    state.cancelled.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock to `instant` (never back) and wakes every sleeper whose deadline it passed.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let now = state.now
            let due = state.sleepers.filter { $0.value.deadline <= now }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.sorted { $0.deadline < $1.deadline }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Steps the clock from one pending deadline to the next until `condition` holds or `limit`
    /// of clock time has passed; returns whether it held. Time moves only while at least
    /// `asleep` sleepers wait (the number of the code's tasks that sleep on the clock when none
    /// of them is busy), so it never runs ahead of work still in progress, however slow the
    /// machine; `realSeconds` bounds the real time spent.
    public func advance(
        atMost limit: Duration, whileAsleep asleep: Int = 1, within realSeconds: Double = 30, until condition: () async throws -> Bool
    ) async throws -> Bool {
        let end = now.advanced(by: limit)
        let realDeadline = ContinuousClock.now + .seconds(realSeconds)
        while ContinuousClock.now < realDeadline {
            if try await condition() { return true }
            let pending = deadlines
            if pending.count >= asleep, let next = pending.first, next <= end {
                advance(to: next)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        return try await condition()
    }

    /// Waits (real time, up to `realSeconds`) until someone sleeps until `deadline` or later.
    public func sleeper(until deadline: Instant, within realSeconds: Double = 30) async throws -> Bool {
        let realDeadline = ContinuousClock.now + .seconds(realSeconds)
        while ContinuousClock.now < realDeadline {
            if deadlines.contains(where: { $0 >= deadline }) { return true }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }
}
