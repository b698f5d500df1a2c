import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// Runs continuous batches on a ``SimulatedDevice``: every sampler step costs what the device's
/// cost model says for the tasks in the batch, each task advances one step, finished tasks leave
/// and admitted ones join at step boundaries, and an evicted task's checkpoint is its next step
/// (`sim-step:<k>`, resumed from on any device). The scheduling code under it — claims, windows,
/// caps, preemption, faults — is the real one; only the model is simulated (`bench scheduler`
/// and the scheduler tests).
public struct SimulatedBatchRunner: BatchRunner {
    /// The device the steps run on.
    public let device: SimulatedDevice

    /// A runner on `device`.
    public init(device: SimulatedDevice) {
        self.device = device
    }

    private struct Item {
        var task: TaskRecord
        var next: Int
    }

    /// Steps the batch until no task is left.
    public func run(_ batch: [TaskRecord], control: any BatchControl) async throws {
        var items = batch.map { Item(task: $0, next: Self.resumeStep($0.checkpointRef)) }
        while !items.isEmpty {
            let latentFrames = items.map { ($0.task.request.frameCount + 3) / 4 }.max() ?? 1
            try await device.runStep(batch: items.count, latentFrames: latentFrames)
            for index in items.indices { items[index].next += 1 }
            for item in items where item.next >= item.task.request.steps {
                await control.finished(item.task, result: Self.result(item.task))
            }
            items.removeAll { $0.next >= $0.task.request.steps }
            for item in items {
                control.progress(item.task, percent: item.next * 100 / item.task.request.steps, stage: "sampling")
            }
            let change = await control.afterStep(running: items.map(\.task))
            for item in items where change.evict.contains(item.task.id) {
                await control.evicted(item.task, checkpoint: "sim-step:\(item.next)")
            }
            items.removeAll { change.evict.contains($0.task.id) || change.stop.contains($0.task.id) }
            items += change.admit.map { Item(task: $0, next: Self.resumeStep($0.checkpointRef)) }
        }
    }

    /// The cost model's memory per video.
    public func memoryEstimate(for task: TaskRecord) -> UInt64 {
        device.cost.perItemMemory
    }

    /// The step a `sim-step:<k>` checkpoint resumes from (0 without one).
    static func resumeStep(_ reference: String?) -> Int {
        guard let reference, reference.hasPrefix("sim-step:") else { return 0 }
        return Int(reference.dropFirst("sim-step:".count)) ?? 0
    }

    /// A result that names no video (nothing was rendered).
    static func result(_ task: TaskRecord) -> TaskResult {
        TaskResult(
            videoKey: "simulated/\(task.id.rawValue)", durationSeconds: task.request.exactDuration, width: task.request.resolution.width,
            height: task.request.resolution.height, fps: task.request.fps, codec: "simulated", sizeBytes: 0
        )
    }
}
