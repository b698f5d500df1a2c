/// One problem with one input field: the dotted path of the field and why it was refused.
public struct FieldIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Dotted path of the offending field, e.g. `params.fps`.
    public var field: String
    /// Human-readable reason, e.g. `must be 24 or 30, got 25`.
    public var reason: String

    /// Creates an issue for `field` with `reason`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`, the form printed by the CLI and logged by the server.
    public var description: String { "\(field): \(reason)" }
}
