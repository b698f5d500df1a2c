import Synchronization
import VideoGenXStore

/// A device that costs what its ``DeviceCostModel`` says: a sampler step waits on the injected
/// clock for `(a + b·n)·frames` seconds, utilisation and memory follow from what runs, and
/// faults can be injected (go offline, hang, fail the next batch). Tests and `bench scheduler`
/// run the real scheduling code against it; a virtual clock makes the time free.
public final class SimulatedDevice: Sendable {
    /// A fault to inject.
    public enum Fault: Sendable, Hashable {
        /// Every later step fails with ``DeviceError`` (`offline`), as a lost GPU does.
        case offline
        /// The next step never returns until cancelled, as a hung kernel does.
        case hang
        /// The next step fails once; later ones run.
        case failNextBatch
    }

    /// What the device reports.
    public struct Snapshot: Sendable, Hashable {
        /// The device's name.
        public var name: String
        /// Whether it still takes work.
        public var online: Bool
        /// Busy fraction of the last second, 0–1.
        public var utilisation: Double
        /// Bytes in use.
        public var memoryUsed: UInt64
        /// Bytes in total.
        public var memoryTotal: UInt64
        /// Videos in the batch running now (0 when idle).
        public var runningBatch: Int
    }

    private struct State {
        var busy = BusyTracker()
        var running = 0
        var online = true
        var hangNext = false
        var failNext = false
    }

    /// The device's name, e.g. `sim0`.
    public let name: String
    /// The cost model.
    public let cost: DeviceCostModel
    private let clock: MonotonicClock
    private let state = Mutex(State())

    /// Creates a device whose steps take their time on `clock` (a virtual clock in tests and
    /// benchmarks), which also times its utilisation.
    public init(name: String, cost: DeviceCostModel, clock: MonotonicClock) {
        self.name = name
        self.cost = cost
        self.clock = clock
    }

    private func now() -> Double { clock.seconds }

    /// Injects `fault`.
    public func inject(_ fault: Fault) {
        state.withLock { state in
            switch fault {
            case .offline: state.online = false
            case .hang: state.hangNext = true
            case .failNextBatch: state.failNext = true
            }
        }
    }

    /// Brings an offline device back.
    public func restore() {
        state.withLock { $0.online = true }
    }

    /// Runs one sampler step of a batch of `batch` videos of `latentFrames` latent frames.
    /// - Throws: ``DeviceError`` when offline or failing; `CancellationError` when cancelled
    ///   (a hung step ends only so).
    public func runStep(batch: Int, latentFrames: Int) async throws {
        let (online, hang, fail) = state.withLock { state -> (Bool, Bool, Bool) in
            let result = (state.online, state.hangNext, state.failNext)
            state.hangNext = false
            state.failNext = false
            if state.online && !result.2 {
                state.running = batch
                state.busy.begin(at: now())
            }
            return result
        }
        guard online else { throw DeviceError(code: .offline, message: "\(name) is offline") }
        guard !fail else { throw DeviceError(code: .batchFailed, message: "\(name) failed the batch (injected)") }
        defer {
            state.withLock { state in
                state.running = 0
                state.busy.end(at: now())
            }
        }
        if hang {
            while true { try await clock.sleep(for: .seconds(3600)) }
        }
        try await clock.sleep(for: .seconds(cost.stepSeconds(batch: batch, latentFrames: latentFrames)), tolerance: nil)
    }

    /// What the device reports now.
    public func snapshot() -> Snapshot {
        let time = now()
        return state.withLock { state in
            Snapshot(
                name: name, online: state.online, utilisation: state.busy.utilisation(at: time),
                memoryUsed: cost.memory(batch: state.running), memoryTotal: cost.totalMemory, runningBatch: state.running
            )
        }
    }
}
