import Testing
import VideoGenXScheduler
import VideoGenXStore

/// The simulated device: costs per its model on the clock it is given, reports utilisation and
/// memory from what runs, and fails the way it is told to.
@Suite("Simulated device", .timeLimit(.minutes(1)))
struct SimulatedDeviceTests {
    /// The benchmark's model: a batch of 8 costs 2.5× a batch of 1 (a = 11/3·b).
    static let cost = DeviceCostModel(fixedSeconds: 0.055, perItemSeconds: 0.015, baseMemory: 4 << 30, perItemMemory: 1 << 30, totalMemory: 16 << 30)

    @Test("The cost model: (a + b·n)·frames per step, batch of 8 = 2.5× batch of 1, speedup 3.2; memory base + n·item")
    func costModel() {
        let cost = Self.cost
        #expect(abs(cost.stepSeconds(batch: 1, latentFrames: 10) - 0.7) < 1e-12)
        #expect(abs(cost.stepSeconds(batch: 8, latentFrames: 1) / cost.stepSeconds(batch: 1, latentFrames: 1) - 2.5) < 1e-12)
        #expect(abs(cost.speedup(batch: 8) - 3.2) < 1e-12)
        #expect(cost.memory(batch: 3) == 7 << 30)
    }

    @Test("Steps take the modelled time on the device's clock; utilisation is the busy share of the last second")
    func timingAndUtilisation() async throws {
        let clock = InstantClock()
        let device = SimulatedDevice(name: "sim0", cost: Self.cost, clock: MonotonicClock(clock))
        try await device.runStep(batch: 4, latentFrames: 8)
        #expect(abs(clock.seconds - 0.92) < 1e-9)
        let busy = device.snapshot()
        #expect(busy.online && busy.runningBatch == 0 && busy.memoryUsed == 4 << 30)
        #expect(abs(busy.utilisation - 0.92) < 1e-9)
        try await clock.sleep(for: .seconds(0.78))
        #expect(abs(device.snapshot().utilisation - 0.22) < 1e-9, "half of the busy time has left the window")
    }

    @Test("Faults: a failed batch fails once; offline fails until restored; a hang ends only by cancellation")
    func faults() async throws {
        let clock = InstantClock()
        let device = SimulatedDevice(name: "sim1", cost: Self.cost, clock: MonotonicClock(clock))
        device.inject(.failNextBatch)
        await #expect(throws: DeviceError(code: .batchFailed, message: "sim1 failed the batch (injected)")) { try await device.runStep(batch: 1, latentFrames: 1) }
        try await device.runStep(batch: 1, latentFrames: 1)
        device.inject(.offline)
        await #expect(throws: DeviceError(code: .offline, message: "sim1 is offline")) { try await device.runStep(batch: 1, latentFrames: 1) }
        #expect(!device.snapshot().online)
        device.restore()
        device.inject(.hang)
        let hung = Task { try await device.runStep(batch: 2, latentFrames: 1) }
        try await clock.sleep(for: .seconds(0.001))
        hung.cancel()
        await #expect(throws: CancellationError.self) { try await hung.value }
        #expect(device.snapshot().runningBatch == 0)
    }
}

@Suite("Busy tracker")
struct BusyTrackerTests {
    @Test("Busy share of the window, open intervals counted to now, old ones forgotten")
    func utilisation() {
        var tracker = BusyTracker(window: 1)
        tracker.begin(at: 0.0)
        tracker.end(at: 0.3)
        #expect(abs(tracker.utilisation(at: 1.0) - 0.3) < 1e-12)
        tracker.begin(at: 0.8)
        #expect(abs(tracker.utilisation(at: 1.0) - 0.5) < 1e-12)
        #expect(abs(tracker.utilisation(at: 1.5) - 0.7) < 1e-12)
        tracker.end(at: 1.5)
        #expect(abs(tracker.utilisation(at: 3.0) - 0.0) < 1e-12)
    }
}
