import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// Runs a continuous batch — tasks with one batch key — on one device through the model's
/// batched path. Between sampler steps it asks its ``BatchControl`` which running tasks to hand
/// back (checkpointed) and which newly claimed tasks to add, so finished slots are refilled and
/// a P0 task can take a slot at the next step. The device loop owns claims, leases, the store's
/// transitions and the step watchdog; the runner owns the work.
public protocol BatchRunner: Sendable {
    /// Runs `batch` and whatever `control` adds until no task is left.
    ///
    /// - Throws: ``DeviceError`` when the device fails (the loop releases the running tasks
    ///   without charging an attempt); any other error fails them as retryable.
    func run(_ batch: [TaskRecord], control: any BatchControl) async throws

    /// Device memory one task of the batch adds, in bytes (the memory guard splits a batch whose
    /// estimate passes the device's free memory).
    func memoryEstimate(for task: TaskRecord) -> UInt64
}

/// The device loop's side of a running batch.
public protocol BatchControl: Sendable {
    /// `task` finished with `result`; the loop completes it at once and returns the status the
    /// store recorded (`cancelled` when its user cancelled it while it uploaded: the runner then
    /// deletes what it uploaded), or `nil` when the completion was refused or failed.
    @discardableResult
    func finished(_ task: TaskRecord, result: TaskResult) async -> TaskStatus?

    /// Called after every sampler step with the tasks still running: which of them to stop and
    /// hand back, and which claimed tasks to add (they start at their checkpoint, or step 0).
    func afterStep(running: [TaskRecord]) async -> BatchChange

    /// `task` was stopped as asked, resumable from `checkpoint` on any device (`nil` when the
    /// checkpoint could not be stored: the task starts over, same seed, same video).
    func evicted(_ task: TaskRecord, checkpoint: String?) async

    /// `task` failed on its own (its asset, its encoder); the loop records the failure,
    /// retried when `retryable` per the store's contract. The rest of the batch goes on.
    func failed(_ task: TaskRecord, failure: TaskFailure, retryable: Bool) async

    /// Where `task` stands; the loop writes it to the store at most every progress interval.
    func progress(_ task: TaskRecord, percent: Int, stage: String)

    /// Whether the user of `task` asked to cancel it (as the store's events or the last lease
    /// renewal told): a task past its last step asks before it uploads.
    func cancelRequested(_ task: TaskRecord) -> Bool

    /// `task` stopped for its cancel request away from a step boundary (encoded, not uploaded);
    /// the loop confirms it cancelled.
    func cancelled(_ task: TaskRecord) async

    /// Renews `task`'s lease right before its upload. `false`: the lease ran out while it
    /// finished (a paused or cut-off worker) and another worker owns the task now, whose files
    /// the upload would overwrite (the keys name the task, not the attempt); the loop has
    /// dropped it, and the runner only discards its files. A cancel request the renewal
    /// reports shows in ``cancelRequested(_:)``.
    func holdsLease(_ task: TaskRecord) async -> Bool

    /// `true`: no member is ready to step and the batch waits for opening ones (fetching
    /// assets, loading a model, starting an encoder); `false`: it steps again. The step watchdog
    /// does not count the wait.
    func waitingForMembers(_ waiting: Bool)

    /// `task`'s finished video went to the upload spool (the store was down): it leaves the
    /// batch and its place is free; the spool renews its lease and completes it.
    func handedOff(_ task: TaskRecord) async
}

/// What changes in a running batch at a step boundary.
public struct BatchChange: Sendable, Hashable {
    /// Running tasks to checkpoint and hand back.
    public var evict: Set<TaskID>
    /// Claimed tasks to add.
    public var admit: [TaskRecord]
    /// Running tasks to drop without a checkpoint: their user cancelled them or their lease
    /// was lost. The loop has recorded it; the runner only stops them.
    public var stop: Set<TaskID>

    /// A change; empty by default.
    public init(evict: Set<TaskID> = [], admit: [TaskRecord] = [], stop: Set<TaskID> = []) {
        self.evict = evict
        self.admit = admit
        self.stop = stop
    }
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
    /// Bytes free for batches (what a batch may add), `nil` when unknown.
    var freeMemoryBytes: UInt64? { get }
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
    /// Total memory less what the loaded model and the running step hold.
    public var freeMemoryBytes: UInt64? {
        let snapshot = snapshot()
        return snapshot.memoryTotal > snapshot.memoryUsed ? snapshot.memoryTotal - snapshot.memoryUsed : 0
    }
}
