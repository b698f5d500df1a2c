/// Utilisation of a device from its busy intervals: the busy fraction of the last `window`
/// seconds. A pure value fed with explicit times (seconds on any monotonic clock), so the
/// arithmetic is tested without clocks.
public struct BusyTracker: Sendable {
    /// Length of the averaging window in seconds. Default 1.
    public let window: Double
    private var intervals: [(start: Double, end: Double?)] = []

    /// Creates a tracker averaging over `window` seconds.
    public init(window: Double = 1) {
        self.window = max(1e-9, window)
    }

    /// Marks the device busy from `time`.
    public mutating func begin(at time: Double) {
        if intervals.last?.end == nil, !intervals.isEmpty { return }
        intervals.append((time, nil))
    }

    /// Marks the device idle from `time`.
    public mutating func end(at time: Double) {
        guard let last = intervals.indices.last, intervals[last].end == nil else { return }
        intervals[last].end = time
    }

    /// Busy fraction of `[now − window, now]`, 0–1; forgets intervals older than the window.
    public mutating func utilisation(at now: Double) -> Double {
        let from = now - window
        intervals.removeAll { ($0.end ?? now) <= from }
        let busy = intervals.reduce(0.0) { total, interval in
            total + max(0, min(interval.end ?? now, now) - max(interval.start, from))
        }
        return min(1, busy / window)
    }
}
