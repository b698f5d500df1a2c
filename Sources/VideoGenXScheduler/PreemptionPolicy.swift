import VideoGenXCore
import VideoGenXStore

/// Which running tasks may be paused for a P0 task: by priority (never P0) and by the tier of
/// whoever submitted them (`worker.preemptible_priorities`, `worker.preemptible_tiers`). Tasks
/// from before tiers were recorded count as any tier.
public struct PreemptionPolicy: Sendable, Hashable {
    /// Priorities that may be paused. Default P1–P3.
    public var priorities: Set<TaskPriority>
    /// Tiers whose tasks may be paused. Default every tier.
    public var tiers: Set<Tier>

    /// Creates a policy; P0 is dropped from `priorities`.
    public init(priorities: Set<TaskPriority> = [.p1, .p2, .p3], tiers: Set<Tier> = Set(Tier.allCases)) {
        self.priorities = priorities.subtracting([.p0])
        self.tiers = tiers
    }

    /// No preemption at all.
    public static let disabled = PreemptionPolicy(priorities: [], tiers: [])

    /// Whether anything may be paused.
    public var isEnabled: Bool { !priorities.isEmpty && !tiers.isEmpty }

    /// Whether a task of `priority` submitted at `tier` may be paused.
    public func allows(_ priority: TaskPriority, tier: Tier?) -> Bool {
        priorities.contains(priority) && (tier.map(tiers.contains) ?? !tiers.isEmpty)
    }

    /// Whether `task` may be paused.
    public func allows(_ task: TaskRecord) -> Bool {
        allows(task.priority, tier: task.tier)
    }
}
