import VideoGenXCore

/// Settings of the HTTP API. Every value is documented in the README's configuration table.
public struct ServerConfiguration: Sendable {
    /// Ranges requests are validated against. Default ``GenerationLimits/platform``.
    public var limits: GenerationLimits
    /// Lifetime of result URLs in seconds. Default 1,800 (30 minutes).
    public var urlExpirySeconds: Double
    /// Largest page of `GET /api/v1/video/tasks`. Default 100.
    public var maxPageSize: Int
    /// Hosts that user-given URLs may name even when they resolve to private addresses. Default none.
    public var urlAllowlist: [String]

    /// Creates a configuration; defaults as documented on each property.
    public init(limits: GenerationLimits = .platform, urlExpirySeconds: Double = 1800, maxPageSize: Int = 100, urlAllowlist: [String] = []) {
        self.limits = limits
        self.urlExpirySeconds = urlExpirySeconds
        self.maxPageSize = maxPageSize
        self.urlAllowlist = urlAllowlist
    }
}
