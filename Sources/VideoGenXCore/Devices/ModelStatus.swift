/// One model of a worker's warm model cache, as `GET /api/v1/admin/devices` shows it: whether it
/// is loaded, how often it was used, and the first-use (cold load) and warm acquire latencies.
public struct ModelStatus: Sendable, Hashable, Codable {
    /// Registry name.
    public var name: String
    /// Whether it is loaded on its device now.
    public var loaded: Bool
    /// Renders using it now.
    public var inUse: Int
    /// Times it was acquired.
    public var uses: Int
    /// Times it was loaded (first use, or use after an eviction).
    public var loads: Int
    /// Seconds the last cold acquire took (loading included).
    public var firstUseSeconds: Double?
    /// Seconds the last warm acquire took (already loaded).
    public var warmSeconds: Double?
    /// The precision it was last loaded at, e.g. `fp32`.
    public var precision: String?
    /// The device whose warm cache holds it (each device has its own).
    public var device: String?

    /// Creates a status.
    public init(
        name: String, loaded: Bool, inUse: Int, uses: Int, loads: Int, firstUseSeconds: Double?, warmSeconds: Double?, precision: String? = nil,
        device: String? = nil
    ) {
        self.precision = precision
        self.device = device
        self.name = name
        self.loaded = loaded
        self.inUse = inUse
        self.uses = uses
        self.loads = loads
        self.firstUseSeconds = firstUseSeconds
        self.warmSeconds = warmSeconds
    }

    enum CodingKeys: String, CodingKey {
        case name, loaded, uses, loads, precision
        case inUse = "in_use"
        case firstUseSeconds = "first_use_seconds"
        case warmSeconds = "warm_seconds"
    }
}
