import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// Runs one batch — tasks claimed together with one batch key — on one device, through the
/// model's batched path. The device loop owns claiming, leases, the store's transitions and
/// the step watchdog; the runner owns the work.
public protocol BatchRunner: Sendable {
    /// Runs `batch` to the end, or to the sampler step after `pause` is raised. Calls
    /// `afterStep` after every sampler step (the loop's watchdog and progress).
    ///
    /// - Returns: each task's result, or the checkpoints to resume from when paused.
    /// - Throws: ``DeviceError`` when the device fails (the loop releases the batch without
    ///   charging an attempt); any other error fails the batch's tasks as retryable.
    func run(_ batch: [TaskRecord], pause: PauseSignal, afterStep: @Sendable (Int, Int) -> Void) async throws -> BatchOutcome
}

/// How a batch ended.
public enum BatchOutcome: Sendable, Hashable {
    /// Every task finished, with its result.
    case finished([TaskID: TaskResult])
    /// Paused on request: each task's checkpoint reference, to release it with.
    case paused([TaskID: String])
}

/// What a device loop reads from its device between batches (NVML, a simulated device).
public protocol BatchDevice: Sendable {
    /// The device's name, e.g. `gpu0`, `sim1`.
    var name: String { get }
    /// Whether the device takes work.
    var isOnline: Bool { get }
    /// Busy fraction of the recent past, 0–1.
    var utilisation: Double { get }
    /// Used fraction of its memory, 0–1.
    var memoryFraction: Double { get }
}

extension SimulatedDevice: BatchDevice {
    /// Whether the device takes work (not taken offline).
    public var isOnline: Bool { snapshot().online }
    /// Busy fraction of the last second.
    public var utilisation: Double { snapshot().utilisation }
    /// Memory in use over total.
    public var memoryFraction: Double {
        let snapshot = snapshot()
        return snapshot.memoryTotal == 0 ? 0 : Double(snapshot.memoryUsed) / Double(snapshot.memoryTotal)
    }
}
