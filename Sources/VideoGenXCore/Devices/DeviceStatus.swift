/// One device of a worker as the admin API (`GET /api/v1/admin/devices`) and `videogenx devices`
/// show it. Fields a kind of device cannot report are `nil`.
public struct DeviceStatus: Sendable, Hashable, Codable {
    /// The configured name: `cpu`, `gpu:0`, `simulated`.
    public var name: String
    /// `cpu`, `gpu` or `simulated`.
    public var kind: String
    /// `online` or `offline`.
    public var state: String
    /// The product name (GPUs).
    public var product: String?
    /// Busy fraction over the last sample period, 0–1.
    public var utilisation: Double?
    /// Memory in use, bytes (the process's resident memory for the CPU).
    public var memoryUsedBytes: UInt64?
    /// Memory in total, bytes.
    public var memoryTotalBytes: UInt64?
    /// Core temperature in °C (GPUs).
    public var temperatureCelsius: Int?
    /// Tasks running on the device now.
    public var runningTasks: Int

    /// Creates a status.
    public init(
        name: String, kind: String, state: String, product: String? = nil, utilisation: Double? = nil, memoryUsedBytes: UInt64? = nil,
        memoryTotalBytes: UInt64? = nil, temperatureCelsius: Int? = nil, runningTasks: Int = 0
    ) {
        self.name = name
        self.kind = kind
        self.state = state
        self.product = product
        self.utilisation = utilisation
        self.memoryUsedBytes = memoryUsedBytes
        self.memoryTotalBytes = memoryTotalBytes
        self.temperatureCelsius = temperatureCelsius
        self.runningTasks = runningTasks
    }

    private enum CodingKeys: String, CodingKey {
        case name, kind, state, product, utilisation
        case memoryUsedBytes = "memory_used_bytes", memoryTotalBytes = "memory_total_bytes"
        case temperatureCelsius = "temperature_celsius", runningTasks = "running_tasks"
    }
}
