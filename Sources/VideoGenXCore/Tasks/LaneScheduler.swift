/// Chooses which priority lane serves the next claim: smooth weighted round-robin over the
/// lanes that have work, weights 4:3:2:1 for P0…P3, so that with every lane backlogged claims
/// split 4:3:2:1 and each round starts with P0. A pure value: the store keeps its credits and
/// persists them with each claim.
public struct LaneScheduler: Sendable, Hashable, Codable {
    /// Weight of each lane, P0 first. Default 4, 3, 2, 1.
    public let weights: [Int]
    /// Current credit of each lane (nginx's smooth weighted round-robin state).
    public private(set) var credits: [Int]

    /// A scheduler with `weights` (one per lane) and zero credits.
    public init(weights: [Int] = [4, 3, 2, 1]) {
        self.weights = weights
        self.credits = Array(repeating: 0, count: weights.count)
    }

    /// A scheduler resumed from stored credits (ignored when their count does not match).
    public init(weights: [Int] = [4, 3, 2, 1], credits: [Int]) {
        self.weights = weights
        self.credits = credits.count == weights.count ? credits : Array(repeating: 0, count: weights.count)
    }

    /// Picks the lane for the next claim among those for which `hasWork` is true; `nil` when
    /// no lane has work. Ties go to the more urgent lane.
    public mutating func next(hasWork: (Int) -> Bool) -> Int? {
        var total = 0
        var best: Int?
        for lane in weights.indices where hasWork(lane) {
            credits[lane] += weights[lane]
            total += weights[lane]
            if best.map({ credits[lane] > credits[$0] }) ?? true {
                best = lane
            }
        }
        guard let best else { return nil }
        credits[best] -= total
        return best
    }

    /// The lane a queued task competes in: its priority, raised one lane per `agingSeconds` it
    /// has waited (default policy: 10 minutes), never above P0.
    public static func effectiveLane(priority: TaskPriority, waitedSeconds: Double, agingSeconds: Double) -> Int {
        guard agingSeconds > 0, waitedSeconds > 0 else { return priority.rawValue }
        let raised = Int((waitedSeconds / agingSeconds).rounded(.down))
        return max(0, priority.rawValue - raised)
    }
}
