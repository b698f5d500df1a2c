extension Array where Element == Double {
    /// The median (mean of the middle two for an even count); 0 when empty.
    public var median: Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// The value at `fraction` (0–1) of these values, which must be sorted ascending, by nearest
    /// rank (p99 = `nearestRank(0.99)`); 0 when empty.
    public func nearestRank(_ fraction: Double) -> Double {
        guard !isEmpty else { return 0 }
        return self[Swift.min(count - 1, Swift.max(0, Int((fraction * Double(count)).rounded(.up)) - 1))]
    }
}
