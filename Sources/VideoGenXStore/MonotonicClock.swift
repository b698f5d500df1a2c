/// The monotonic time of a node's timed work — batch windows, the step watchdog, lease renewal,
/// the lease sweep, cached key ages — behind one type, so that any `Clock` can drive it: the
/// system's `ContinuousClock` in production, a clock moved by hand in tests (which then advance
/// time instead of sleeping). Its instants count from when it was made.
public struct MonotonicClock: Clock {
    /// A point in time: the duration since the clock was made.
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration

        /// The instant `offset` after the clock was made.
        public init(offset: Duration) {
            self.offset = offset
        }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let elapsed: @Sendable () -> Duration
    private let sleeper: @Sendable (Duration, Duration?) async throws -> Void
    /// The underlying clock's resolution.
    public let minimumResolution: Duration

    /// Reads and sleeps on `base`; instant zero is `base`'s time now.
    public init<Base: Clock>(_ base: Base) where Base.Duration == Duration {
        let origin = base.now
        elapsed = { origin.duration(to: base.now) }
        sleeper = { offset, tolerance in try await base.sleep(until: origin.advanced(by: offset), tolerance: tolerance) }
        minimumResolution = base.minimumResolution
    }

    /// The system's monotonic clock (`ContinuousClock`).
    public static var continuous: MonotonicClock { MonotonicClock(ContinuousClock()) }

    /// The time now.
    public var now: Instant { Instant(offset: elapsed()) }

    /// Seconds since the clock was made.
    public var seconds: Double {
        let parts = elapsed().components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// Suspends until `deadline` on the underlying clock.
    /// - Throws: `CancellationError` when the task is cancelled first.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await sleeper(deadline.offset, tolerance)
    }
}
