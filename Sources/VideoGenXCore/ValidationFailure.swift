/// The error a request validation throws: every problem found, not just the first.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error code for API envelopes and logs.
    public static let code = "invalid_request"

    /// Every problem found, in field order.
    public var issues: [FieldIssue]

    /// Creates a failure holding `issues` (expected non-empty).
    public init(issues: [FieldIssue]) {
        self.issues = issues
    }

    /// One issue per line, `field: reason`.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
