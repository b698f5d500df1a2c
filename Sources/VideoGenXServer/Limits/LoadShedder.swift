import Synchronization

/// Caps the requests being handled at once: past the cap a request is refused at once (503 +
/// `Retry-After`) rather than queued until it times out.
public final class LoadShedder: Sendable {
    /// Most requests handled at once.
    public let limit: Int
    private let inFlight = Atomic<Int>(0)

    /// A shedder allowing `limit` concurrent requests.
    public init(limit: Int) {
        self.limit = limit
    }

    /// Takes a slot; false when all are taken.
    public func enter() -> Bool {
        let now = inFlight.add(1, ordering: .relaxed).newValue
        if now > limit {
            inFlight.subtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives a slot back.
    public func leave() {
        inFlight.subtract(1, ordering: .relaxed)
    }

    /// Requests being handled now.
    public var current: Int { inFlight.load(ordering: .relaxed) }
}
