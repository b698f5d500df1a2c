/// Decides how many tasks a device's next batch may hold, from what the device reports: below
/// the utilisation floor the cap grows by one (when batches are filling up, so that more work
/// could actually join), above the utilisation ceiling it shrinks by one, and above the memory
/// ceiling it halves (memory pressure ends in out-of-memory errors, so it backs off fast).
/// A pure value: each observation returns the decision; no clocks, no I/O.
public struct BatchCapController: Sendable, Hashable {
    /// The thresholds, as fractions 0–1. Defaults are the seed's: grow below 70 % utilisation,
    /// shrink above 90 % utilisation or above 80 % memory.
    public struct Thresholds: Sendable, Hashable {
        /// Utilisation below which the cap grows. Default 0.70.
        public var growBelowUtilisation: Double
        /// Utilisation above which the cap shrinks by one. Default 0.90.
        public var shrinkAboveUtilisation: Double
        /// Memory use above which the cap halves. Default 0.80.
        public var shrinkAboveMemory: Double

        /// Creates thresholds; defaults as documented on each property.
        public init(growBelowUtilisation: Double = 0.70, shrinkAboveUtilisation: Double = 0.90, shrinkAboveMemory: Double = 0.80) {
            self.growBelowUtilisation = growBelowUtilisation
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
    ///   - lastBatchFull: whether the last batch reached the cap (growing is useless otherwise).
    public mutating func observe(utilisation: Double, memory: Double, lastBatchFull: Bool) -> Decision {
        if memory > thresholds.shrinkAboveMemory, cap > 1 {
            cap = max(1, cap / 2)
            return .shrink(to: cap)
        }
        if utilisation > thresholds.shrinkAboveUtilisation, cap > 1 {
            cap -= 1
            return .shrink(to: cap)
        }
        if utilisation < thresholds.growBelowUtilisation, lastBatchFull, memory <= thresholds.shrinkAboveMemory, cap < maxBatchSize {
            cap += 1
            return .grow(to: cap)
        }
        return .hold
    }
}
