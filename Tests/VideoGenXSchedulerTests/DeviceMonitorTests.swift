import Logging
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXScheduler
import VideoGenXStore

/// The device monitor's readings: the CPU with the worker's running tasks, simulated devices
/// from their model, a simulated device not set up shown offline.
@Suite("Device monitor")
struct DeviceMonitorTests {
    @Test("Reads the CPU and simulated devices in configuration order; an offline simulated device says so")
    func readings() async throws {
        let clock = InstantClock()
        let cost = DeviceCostModel(fixedSeconds: 0.055, perItemSeconds: 0.015, baseMemory: 4 << 30, perItemMemory: 1 << 30, totalMemory: 16 << 30)
        let device = SimulatedDevice(name: "simulated", cost: cost, clock: MonotonicClock(clock))
        let health = WorkerHealth()
        health.runningTasks.store(2, ordering: .relaxed)
        let monitor = DeviceMonitor(
            devices: [.cpu, .simulated], health: health, simulated: ["simulated": device], logger: Logger(label: "test")
        )
        var readings = monitor.current()
        #expect(readings.map(\.name) == ["cpu", "simulated"])
        #expect(readings[0].kind == "cpu" && readings[0].runningTasks == 2 && (readings[0].memoryTotalBytes ?? 0) > 0)
        #expect(readings[1].state == "online" && readings[1].memoryUsedBytes == 4 << 30 && readings[1].memoryTotalBytes == 16 << 30)
        device.inject(.offline)
        readings = DeviceMonitor(devices: [.simulated], health: health, simulated: ["simulated": device], logger: Logger(label: "test")).current()
        #expect(readings.first?.state == "offline")
        #expect(DeviceMonitor(devices: [.simulated], health: health, logger: Logger(label: "test")).current().first?.state == "offline")
    }
}
