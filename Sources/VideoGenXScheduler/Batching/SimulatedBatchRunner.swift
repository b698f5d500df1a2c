import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// Runs batches on a ``SimulatedDevice``: every sampler step of the batch costs what the device's
/// cost model says for the tasks still sampling, a pause checkpoints each task's next step
/// (`sim-step:<k>`, resumed from on any device), and the result names no video. The scheduling
/// code under it — claims, windows, caps, preemption, faults — is the real one; only the model is
/// simulated (`bench scheduler` and the scheduler tests).
public struct SimulatedBatchRunner: BatchRunner {
    /// The device the steps run on.
    public let device: SimulatedDevice

    /// A runner on `device`.
    public init(device: SimulatedDevice) {
        self.device = device
    }

    /// Steps the batch to the end, or pauses after the step during which `pause` was raised.
    public func run(_ batch: [TaskRecord], pause: PauseSignal, afterStep: @Sendable (Int, Int) -> Void) async throws -> BatchOutcome {
        var next = batch.map { Self.resumeStep($0.checkpointRef) }
        let steps = batch.map(\.request.steps)
        let latentFrames = batch.map { ($0.request.frameCount + 3) / 4 }.max() ?? 1
        let total = zip(steps, next).map { $0 - $1 }.max() ?? 0
        var done = 0
        while true {
            let active = batch.indices.filter { next[$0] < steps[$0] }
            if active.isEmpty { break }
            try await device.runStep(batch: active.count, latentFrames: latentFrames)
            for index in active { next[index] += 1 }
            done += 1
            afterStep(done, total)
            if pause.isRequested, batch.indices.contains(where: { next[$0] < steps[$0] }) {
                return .paused(Dictionary(uniqueKeysWithValues: batch.indices.map { (batch[$0].id, "sim-step:\(next[$0])") }))
            }
        }
        return .finished(Dictionary(uniqueKeysWithValues: batch.map { task in
            (task.id, TaskResult(
                videoKey: "simulated/\(task.id.rawValue)", durationSeconds: task.request.exactDuration, width: task.request.resolution.width,
                height: task.request.resolution.height, fps: task.request.fps, codec: "simulated", sizeBytes: 0
            ))
        }))
    }

    /// The step a `sim-step:<k>` checkpoint resumes from (0 without one).
    static func resumeStep(_ reference: String?) -> Int {
        guard let reference, reference.hasPrefix("sim-step:") else { return 0 }
        return Int(reference.dropFirst("sim-step:".count)) ?? 0
    }
}
