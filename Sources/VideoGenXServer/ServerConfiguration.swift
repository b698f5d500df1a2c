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
    /// What each tier may do. Default ``TierPolicy/defaults(for:)``.
    public var tiers: [Tier: TierPolicy]
    /// Requests handled at once before the API sheds load (503). Default 100.
    public var maxInFlight: Int
    /// Tasks one user may have pending at once (429 past it). Default 100.
    public var maxPendingPerUser: Int
    /// Tasks pending in all before submissions are shed (503). Default 10,000.
    public var maxQueueDepth: Int
    /// The registered models `GET /api/v1/models` lists. Default the built-in procedural model.
    public var models: [RegisteredModel] = [.builtInProcedural]
    /// The base clients reach this API at (`http.public_url`, else `http://host:port`): the
    /// `query_url` of an accepted task is built on it. `nil` (route tests): paths only.
    public var publicBaseURL: String? = nil

    /// Creates a configuration; defaults as documented on each property.
    public init(
        limits: GenerationLimits = .platform, urlExpirySeconds: Double = 1800, maxPageSize: Int = 100, urlAllowlist: [String] = [],
        tiers: [Tier: TierPolicy] = Dictionary(uniqueKeysWithValues: Tier.allCases.map { ($0, TierPolicy.defaults(for: $0)) }),
        maxInFlight: Int = 100, maxPendingPerUser: Int = 100, maxQueueDepth: Int = 10_000
    ) {
        self.limits = limits
        self.urlExpirySeconds = urlExpirySeconds
        self.maxPageSize = maxPageSize
        self.urlAllowlist = urlAllowlist
        self.tiers = tiers
        self.maxInFlight = maxInFlight
        self.maxPendingPerUser = maxPendingPerUser
        self.maxQueueDepth = maxQueueDepth
    }

    /// The policy of `tier`.
    public func policy(for tier: Tier) -> TierPolicy {
        tiers[tier] ?? TierPolicy.defaults(for: tier)
    }
}
