import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXInference
#if canImport(Glibc)
import Glibc
#endif

/// Samples every configured device every `interval` (default 100 ms) and keeps the latest
/// readings for the admin API: GPUs through NVML, simulated devices from their model, the CPU
/// from this process's CPU time and resident memory. A device whose reading fails is shown
/// offline and logged once per change.
public final class DeviceMonitor: Service, Sendable {
    let devices: [ComputeDevice]
    private let nvml: NVML?
    private let simulated: [String: SimulatedDevice]
    private let health: WorkerHealth
    private let interval: Duration
    private let logger: Logger
    private let latest = Mutex<[DeviceStatus]>([])
    private let cpuSample = Mutex<(wall: Double, cpu: Double)?>(nil)

    /// Creates a monitor.
    ///
    /// - Parameter nvml: the library GPUs are read through (``ComputeDevice/openNVML(for:open:)``);
    ///   `nil` shows every GPU offline.
    public init(
        devices: [ComputeDevice], health: WorkerHealth, nvml: NVML? = nil, simulated: [String: SimulatedDevice] = [:],
        interval: Duration = .milliseconds(100), logger: Logger
    ) {
        self.devices = devices
        self.health = health
        self.nvml = nvml
        self.simulated = simulated
        self.interval = interval
        self.logger = logger
        latest.withLock { $0 = sample() }
    }

    /// The latest readings, in configuration order.
    public func current() -> [DeviceStatus] {
        latest.withLock { $0 }
    }

    /// Samples until graceful shutdown, then returns normally (a thrown cancellation would make
    /// the service group report a failure and `serve` exit 1).
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: self.interval)
                let statuses = self.sample()
                let previous = self.latest.withLock { state in
                    defer { state = statuses }
                    return state
                }
                for (old, new) in zip(previous, statuses) where old.state != new.state {
                    self.logger.error("device state changed", metadata: ["device.name": "\(new.name)", "device.state": "\(new.state)"])
                }
            }
        }
    }

    /// Reads every device once.
    func sample() -> [DeviceStatus] {
        devices.map { device in
            switch device.kind {
            case .cpu:
                return cpuStatus()
            case .gpu(let index):
                guard let nvml else { return DeviceStatus(name: device.description, kind: "gpu", state: "offline") }
                do {
                    let reading = try nvml.sample(index: index)
                    return DeviceStatus(
                        name: device.description, kind: "gpu", state: "online", product: reading.name, utilisation: reading.utilisation,
                        memoryUsedBytes: reading.memoryUsed, memoryTotalBytes: reading.memoryTotal, temperatureCelsius: reading.temperature
                    )
                } catch {
                    return DeviceStatus(name: device.description, kind: "gpu", state: "offline")
                }
            case .simulated:
                guard let simulatedDevice = simulated[device.description] else {
                    return DeviceStatus(name: device.description, kind: "simulated", state: "offline")
                }
                let snapshot = simulatedDevice.snapshot()
                return DeviceStatus(
                    name: device.description, kind: "simulated", state: snapshot.online ? "online" : "offline", utilisation: snapshot.utilisation,
                    memoryUsedBytes: snapshot.memoryUsed, memoryTotalBytes: snapshot.memoryTotal, runningTasks: snapshot.runningBatch
                )
            }
        }
    }

    /// The CPU: this process's CPU time over the last period divided by wall time × cores, its
    /// resident memory, the machine's memory, and the worker's running tasks (the procedural
    /// model runs on the CPU).
    private func cpuStatus() -> DeviceStatus {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        let cpu = Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
        let wall = Date().timeIntervalSinceReferenceDate
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let utilisation = cpuSample.withLock { last -> Double? in
            defer { last = (wall, cpu) }
            guard let last, wall > last.wall else { return nil }
            return min(1, max(0, (cpu - last.cpu) / ((wall - last.wall) * cores)))
        }
        return DeviceStatus(
            name: "cpu", kind: "cpu", state: "online", utilisation: utilisation, memoryUsedBytes: Self.residentBytes(),
            memoryTotalBytes: ProcessInfo.processInfo.physicalMemory, runningTasks: health.runningTasks.load(ordering: .relaxed)
        )
    }

    /// Resident memory of this process from `/proc/self/statm`; `nil` where it cannot be read.
    private static func residentBytes() -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = UInt64(fields[1]) else { return nil }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
