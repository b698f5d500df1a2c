import Foundation
import Synchronization

/// The store's source of wall-clock time (timestamps, leases, backoff, aging). Injected so tests
/// drive time by hand instead of sleeping.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that moves only when told to: for tests and benchmarks.
public final class ManualWallClock: WallClock {
    private let current: Mutex<Date>

    /// A clock stopped at `start` (default: 2026-01-01 00:00:00 UTC).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = Mutex(start)
    }

    /// The clock's time.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward by `seconds`.
    public func advance(by seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
