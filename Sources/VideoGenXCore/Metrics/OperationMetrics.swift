import Metrics

/// A latency histogram and an error counter per operation of a store (the task store's `get`,
/// the object store's `put`, …), made once: a lookup in the metrics registry on every call would
/// cost more than a cached status read. Labels: `op` only.
public struct OperationMetrics: Sendable {
    private let timers: [String: Timer]
    private let errors: [String: Counter]

    /// Metrics `duration{op}` and `errors{op}` for each of `operations`, in the current metrics factory.
    public init(duration: String, errors: String, operations: [String]) {
        timers = Dictionary(uniqueKeysWithValues: operations.map { ($0, Timer(label: duration, dimensions: [("op", $0)])) })
        self.errors = Dictionary(uniqueKeysWithValues: operations.map { ($0, Counter(label: errors, dimensions: [("op", $0)])) })
    }

    /// Runs `body`, recording its duration under `operation`, and its error if it throws.
    public func measure<Result: Sendable>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        defer { timers[operation]?.record(duration: start.duration(to: .now)) }
        do {
            return try await body()
        } catch {
            errors[operation]?.increment()
            throw error
        }
    }

    /// ``measure(_:_:)-async`` for synchronous work (signing a URL).
    public func measure<Result>(_ operation: String, _ body: () throws -> Result) rethrows -> Result {
        let start = ContinuousClock.now
        defer { timers[operation]?.record(duration: start.duration(to: .now)) }
        do {
            return try body()
        } catch {
            errors[operation]?.increment()
            throw error
        }
    }
}
