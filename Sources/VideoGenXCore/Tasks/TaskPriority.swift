/// A task's priority lane: P0 (urgent) … P3 (test). Lower numbers are served more often.
public struct TaskPriority: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// 0…3.
    public let rawValue: Int

    /// A priority, or `nil` outside 0…3.
    public init?(rawValue: Int) {
        guard (0...3).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// P0: urgent.
    public static let p0 = TaskPriority(lane: 0)
    /// P1: high.
    public static let p1 = TaskPriority(lane: 1)
    /// P2: normal, the API's default.
    public static let p2 = TaskPriority(lane: 2)
    /// P3: test and batch work.
    public static let p3 = TaskPriority(lane: 3)
    /// All lanes, most urgent first.
    public static let all: [TaskPriority] = [.p0, .p1, .p2, .p3]

    private init(lane: Int) {
        rawValue = lane
    }

    /// More urgent sorts first.
    public static func < (lhs: TaskPriority, rhs: TaskPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `P0` … `P3`.
    public var description: String { "P\(rawValue)" }
}
