/// What one ``Tier`` allows: a request rate with a burst, the resolutions, the priority lanes
/// and features. Tiers are configuration; ``defaults(for:)`` holds the documented defaults.
public struct TierPolicy: Sendable, Hashable {
    /// Sustained requests per second per API key.
    public var requestsPerSecond: Double
    /// Requests allowed at once above the sustained rate.
    public var burst: Int
    /// Resolutions the tier may request.
    public var resolutions: [Resolution]
    /// Priority lanes the tier may request (P0 is the most urgent).
    public var priorities: ClosedRange<Int>
    /// Whether the tier may supply its own watermark (the media pipeline's option).
    public var customWatermark: Bool

    /// Creates a policy.
    public init(requestsPerSecond: Double, burst: Int, resolutions: [Resolution], priorities: ClosedRange<Int>, customWatermark: Bool) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
        self.resolutions = resolutions
        self.priorities = priorities
        self.customWatermark = customWatermark
    }

    /// The defaults: free 10/s (burst 20), ≤ 1080P, P2–P3; paid 100/s (burst 200), 4K, P1–P3,
    /// custom watermark; admin 1000/s (burst 2000), everything, P0–P3.
    public static func defaults(for tier: Tier) -> TierPolicy {
        switch tier {
        case .free: TierPolicy(requestsPerSecond: 10, burst: 20, resolutions: [.hd720, .fullHD1080], priorities: 2...3, customWatermark: false)
        case .paid: TierPolicy(requestsPerSecond: 100, burst: 200, resolutions: Resolution.allCases, priorities: 1...3, customWatermark: true)
        case .admin: TierPolicy(requestsPerSecond: 1000, burst: 2000, resolutions: Resolution.allCases, priorities: 0...3, customWatermark: true)
        }
    }

    /// What `spec` at `priority` asks for beyond this policy, as `(feature, reason)` pairs; empty
    /// when everything is allowed.
    public func refusals(for spec: GenerationSpec, priority: TaskPriority, tier: Tier) -> [FieldIssue] {
        var refusals: [FieldIssue] = []
        if !resolutions.contains(spec.resolution) {
            let allowed = resolutions.map(\.rawValue).joined(separator: ", ")
            refusals.append(FieldIssue(field: "params.resolution", reason: "\(spec.resolution.rawValue) is not available on the \(tier.rawValue) tier (allowed: \(allowed))"))
        }
        if !priorities.contains(priority.rawValue) {
            refusals.append(FieldIssue(
                field: "priority", reason: "P\(priority.rawValue) is not available on the \(tier.rawValue) tier (allowed: P\(priorities.lowerBound)–P\(priorities.upperBound))"
            ))
        }
        if spec.watermark != nil && !customWatermark {
            refusals.append(FieldIssue(field: "params.watermark", reason: "a custom watermark is not available on the \(tier.rawValue) tier"))
        }
        return refusals
    }
}
