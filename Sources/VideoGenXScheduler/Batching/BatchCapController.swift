/// Decides how many tasks a device's next batch may hold, from what the device reports: after a
/// batch that filled the cap (work was waiting) the cap grows by one; above the utilisation
/// ceiling with batches that did not fill it shrinks by one (a hot device without a backlog
/// trades batch size for latency); above the memory ceiling it halves (memory pressure ends in
/// out-of-memory errors, so it backs off fast). A pure value: no clocks, no I/O.
///
/// Why not the seed's "grow below 70 % utilisation, shrink above 90 %": a device with a backlog
/// is busy all the time whatever its batch size, so that rule shrinks a saturated device to
/// batch 1 (31 % of the throughput the benchmark's cost model allows at batch 8) and never
/// grows it. Demand (full batches) drives growth; utilisation only drives shrinking.
public struct BatchCapController: Sendable, Hashable {
    /// The thresholds, as fractions 0–1. Defaults: shrink above 90 % utilisation (when batches do
    /// not fill) or above 80 % memory.
    public struct Thresholds: Sendable, Hashable {
        /// Utilisation above which the cap shrinks by one when the last batch did not fill it. Default 0.90.
        public var shrinkAboveUtilisation: Double
        /// Memory use above which the cap halves. Default 0.80.
        public var shrinkAboveMemory: Double

        /// Creates thresholds; defaults as documented on each property.
        public init(shrinkAboveUtilisation: Double = 0.90, shrinkAboveMemory: Double = 0.80) {
            self.shrinkAboveUtilisation = shrinkAboveUtilisation
            self.shrinkAboveMemory = shrinkAboveMemory
        }
    }

    /// What an observation changed.
    public enum Decision: Sendable, Hashable {
        /// The cap went up to the value.
        case grow(to: Int)
        /// The cap went down to the value.
        case shrink(to: Int)
        /// The cap stays.
        case hold
    }

    /// The largest batch the model takes (1–8).
    public let maxBatchSize: Int
    /// The thresholds.
    public let thresholds: Thresholds
    /// The current cap, 1…``maxBatchSize``.
    public private(set) var cap: Int

    /// Starts at a cap of 1 for a model whose batches hold at most `maxBatchSize` (clamped to 1–8).
    public init(maxBatchSize: Int, thresholds: Thresholds = Thresholds()) {
        self.maxBatchSize = min(8, max(1, maxBatchSize))
        self.thresholds = thresholds
        cap = 1
    }

    /// Takes one report of the device and decides the next cap.
    ///
    /// - Parameters:
    ///   - utilisation: busy fraction of the device since the last report, 0–1.
    ///   - memory: used fraction of the device's memory, 0–1.
    ///   - lastBatchFull: whether the last batch reached the cap (work was waiting for room).
    public mutating func observe(utilisation: Double, memory: Double, lastBatchFull: Bool) -> Decision {
        if memory > thresholds.shrinkAboveMemory {
            guard cap > 1 else { return .hold }
            cap = max(1, cap / 2)
            return .shrink(to: cap)
        }
        if lastBatchFull {
            guard cap < maxBatchSize else { return .hold }
            cap += 1
            return .grow(to: cap)
        }
        if utilisation > thresholds.shrinkAboveUtilisation, cap > 1 {
            cap -= 1
            return .shrink(to: cap)
        }
        return .hold
    }
}
