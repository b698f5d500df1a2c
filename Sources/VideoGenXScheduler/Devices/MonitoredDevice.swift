import VideoGenXCore
import VideoGenXInference

/// A configured device as its batch loop reads it: the device monitor's latest reading of it
/// (online, utilisation, memory).
struct MonitoredDevice: BatchDevice {
    let name: String
    let monitor: DeviceMonitor

    private var status: DeviceStatus? { monitor.current().first { $0.name == name } }

    var isOnline: Bool { status?.state == "online" }
    var utilisation: Double { status?.utilisation ?? 0 }
    var memoryFraction: Double {
        guard let status, let used = status.memoryUsedBytes, let total = status.memoryTotalBytes, total > 0 else { return 0 }
        return Double(used) / Double(total)
    }
    var freeMemoryBytes: UInt64? {
        guard let status, let used = status.memoryUsedBytes, let total = status.memoryTotalBytes else { return nil }
        return total > used ? total - used : 0
    }
}

/// A device nothing monitors: always online, load and memory unknown (the worker without a
/// device monitor, as in tests).
struct UnmonitoredDevice: BatchDevice {
    let name: String
    var isOnline: Bool { true }
    var utilisation: Double { 0 }
    var memoryFraction: Double { 0 }
    var freeMemoryBytes: UInt64? { nil }
}

extension DeviceMonitor {
    /// What the batch loop of each configured device reads: this monitor's readings of it.
    public var batchDevices: [any BatchDevice] {
        devices.map { MonitoredDevice(name: $0.description, monitor: self) }
    }
}
