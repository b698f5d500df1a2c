import Foundation
import Logging
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXObjects
import VideoGenXStore

/// Runs continuous batches of real renders on one device: every member's generation advances
/// one sampler step per batch step, all members at once (the batch dimension spread over the
/// device, as ``ProceduralModel/sampleLatents(batch:)`` spreads it over the cores); the frames of
/// each finished window go down that member's own post-processing ffmpeg; a member whose last
/// step ran finishes its encode, upload and completion beside the batch. Between steps the
/// device loop's control evicts members (checkpointed to the object store, resumed byte-identically
/// on any device), stops cancelled ones and admits newly claimed tasks. What `serve`'s worker runs.
public struct RenderingBatchRunner: BatchRunner {
    /// The device the batch runs on; it going offline fails the batch as ``DeviceError`` `offline`.
    public let device: any BatchDevice
    /// Renders tasks on the primary model.
    public let renderer: VideoRenderer
    /// Renders the attempts the store marks for the fallback model; `nil`: the primary again.
    public let fallbackRenderer: VideoRenderer?
    /// Where videos, thumbnails and checkpoints go.
    public let objects: any ObjectStore
    /// Where each member's private work directory is made.
    public let workDirectory: URL
    /// Counts the tasks being rendered (the device monitor shows it).
    let health: WorkerHealth
    let logger: Logger

    /// Creates a runner.
    public init(
        device: any BatchDevice, renderer: VideoRenderer, fallbackRenderer: VideoRenderer? = nil, objects: any ObjectStore, workDirectory: URL,
        health: WorkerHealth = WorkerHealth(), logger: Logger
    ) {
        self.health = health
        self.device = device
        self.renderer = renderer
        self.fallbackRenderer = fallbackRenderer
        self.objects = objects
        self.workDirectory = workDirectory
        self.logger = logger
    }

    /// A rough per-video working set: a few latent windows, a chunk of RGB frames and the
    /// encoder's frame buffers.
    public func memoryEstimate(for task: TaskRecord) -> UInt64 {
        let frame = UInt64(task.request.resolution.width * task.request.resolution.height * 3)
        return 16 * frame + (32 << 20)
    }

    /// Steps the batch until no member is left, then waits for the members' uploads.
    public func run(_ batch: [TaskRecord], control: any BatchControl) async throws {
        try await withThrowingTaskGroup(of: Void.self) { encodes in
            var members = await admit(batch, control: control, encodes: &encodes)
            while !members.isEmpty {
                let failures = await step(members)
                try Task.checkCancellation()
                guard device.isOnline else {
                    throw DeviceError(code: .offline, message: "\(device.name) went offline")
                }
                var running: [BatchMember] = []
                for member in members {
                    if let error = failures[member.task.id] {
                        await member.report(error, control: control)
                    } else if member.stepper.isFinished {
                        member.endInput()
                        control.progress(member.task, percent: 94, stage: "encoding")
                    } else {
                        control.progress(member.task, percent: min(93, Int(member.stepper.progress.fraction * 94)), stage: "sampling")
                        running.append(member)
                    }
                }
                let change = await control.afterStep(running: running.map(\.task))
                for member in running where change.stop.contains(member.task.id) {
                    member.stop()
                }
                for member in running where change.evict.contains(member.task.id) {
                    let checkpoint = await member.storeCheckpoint()
                    member.stop()
                    await control.evicted(member.task, checkpoint: checkpoint)
                }
                members = running.filter { !change.stop.contains($0.task.id) && !change.evict.contains($0.task.id) }
                members += await admit(change.admit, control: control, encodes: &encodes)
            }
            try await encodes.waitForAll()
        }
    }

    /// One batch step: every member's sampler step and frame hand-off, at once; the errors by task.
    private func step(_ members: [BatchMember]) async -> [TaskID: any Error] {
        await withTaskGroup(of: (TaskID, (any Error)?).self) { group in
            for member in members {
                group.addTask {
                    do {
                        try await member.feed()
                        return (member.task.id, nil)
                    } catch {
                        return (member.task.id, error)
                    }
                }
            }
            var failures: [TaskID: any Error] = [:]
            for await (id, error) in group {
                if let error { failures[id] = error }
            }
            return failures
        }
    }

    /// Opens `tasks` as members and starts their encodes; a task whose assets, model or encoder
    /// fail is recorded as failed and left out.
    private func admit(_ tasks: [TaskRecord], control: any BatchControl, encodes: inout ThrowingTaskGroup<Void, any Error>) async -> [BatchMember] {
        var members: [BatchMember] = []
        for task in tasks {
            let renderer = task.useFallback ? fallbackRenderer ?? self.renderer : self.renderer
            let tried = RenderFailure.tried(task, primary: self.renderer.model.name, fallback: renderer.model.name)
            let member: BatchMember
            do {
                member = try await BatchMember.open(task, renderer: renderer, objects: objects, in: workDirectory, tried: tried, logger: logger)
            } catch {
                var (failure, retryable) = RenderFailure.classify(error)
                failure.message += " (\(tried))"
                await control.failed(task, failure: failure, retryable: retryable)
                continue
            }
            let logger = self.logger
            let health = self.health
            health.runningTasks.add(1, ordering: .relaxed)
            encodes.addTask {
                await member.encode(control: control, logger: logger)
                health.runningTasks.subtract(1, ordering: .relaxed)
            }
            do {
                try await member.attach()
                members.append(member)
                logger.info("task started", metadata: ["task.id": "\(task.id)", "task.attempt": "\(task.attempt)", "device": "\(device.name)"])
            } catch {
                // The encoder could not start; its child has reported the failure.
            }
        }
        return members
    }
}
