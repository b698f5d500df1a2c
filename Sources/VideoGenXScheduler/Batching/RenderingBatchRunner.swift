import Foundation
import Logging
import Metrics
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
    /// Takes finished videos whose upload failed; `nil`: such a failure fails the attempt.
    public var spool: UploadSpool?
    /// Where each member's private work directory is made.
    public let workDirectory: URL
    /// How long a member may take to open and, after its last step, to finish; one past either
    /// fails its attempt and leaves the batch, its stuck work cancelled and left behind.
    public var deadlines = MemberDeadlines()
    /// Counts the tasks being rendered (the device monitor shows it).
    let health: WorkerHealth
    /// The clock of the wait for an opening member (its scheduler's clock).
    let clock: MonotonicClock
    let logger: Logger
    /// `videogenx_fallbacks_total`: task runs on the fallback model (made at start, so it is exported at 0).
    private let fallbacks = Counter(label: "videogenx_fallbacks_total")

    /// Creates a runner.
    public init(
        device: any BatchDevice, renderer: VideoRenderer, fallbackRenderer: VideoRenderer? = nil, objects: any ObjectStore, workDirectory: URL,
        health: WorkerHealth = WorkerHealth(), clock: MonotonicClock = .continuous, logger: Logger
    ) {
        self.health = health
        self.clock = clock
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

    /// Steps the batch until no member is left, then waits for the members' uploads. Members
    /// open (assets, model, ffmpeg) beside the batch and join its steps once ready.
    public func run(_ batch: [TaskRecord], control: any BatchControl) async throws {
        let opened = Doorbell(clock: clock)
        let members = MemberWatch()
        try await withThrowingTaskGroup(of: Void.self) { children in
            children.addTask { [self] in await watch(members, control: control) }
            var opening = start(batch, control: control, opened: opened, watch: members, children: &children)
            var stepping: [BatchMember] = []
            while !opening.isEmpty || !stepping.isEmpty {
                // Nothing to step until a member is ready (or has ended): wait for the first. The
                // step watchdog pauses meanwhile (an asset fetch or a cold model load is not a hang).
                if stepping.isEmpty, opening.allSatisfy({ $0.standing == .opening }) {
                    control.waitingForMembers(true)
                    while opening.allSatisfy({ $0.standing == .opening }) {
                        try Task.checkCancellation()
                        await opened.wait(timeout: .seconds(1))
                    }
                    control.waitingForMembers(false)
                }
                try Task.checkCancellation()
                // Each member's standing is read once: one that finished opening between a
                // "ready?" pass and an "ended?" pass would otherwise leave `opening` without
                // joining `stepping` — never stepped, its lease renewed for ever.
                var stillOpening: [BatchMember] = []
                for member in opening {
                    switch member.standing {
                    case .ready:
                        stepping.append(member)
                        logger.info("task started", metadata: ["task.id": "\(member.task.id)", "task.attempt": "\(member.task.attempt)", "device": "\(device.name)"])
                    case .opening:
                        stillOpening.append(member)
                    case .ended:
                        break
                    }
                }
                opening = stillOpening
                guard !stepping.isEmpty else { continue }
                let failures = await step(stepping)
                try Task.checkCancellation()
                guard device.isOnline else {
                    throw DeviceError(code: .offline, message: "\(device.name) went offline")
                }
                var running: [BatchMember] = []
                for member in stepping {
                    if let error = failures[member.task.id] {
                        await member.report(error, control: control)
                    } else if member.stepper?.isFinished ?? true {
                        member.endInput(at: clock.now)
                        control.progress(member.task, percent: 94, stage: "encoding")
                    } else {
                        let fraction = member.stepper?.progress.fraction ?? 0
                        control.progress(member.task, percent: min(93, Int(fraction * 94)), stage: "sampling")
                        running.append(member)
                    }
                }
                // Opening members hold their places in the batch.
                let change = await control.afterStep(running: (running + opening).map(\.task))
                for member in running + opening where change.stop.contains(member.task.id) {
                    member.stop()
                }
                for member in running + opening where change.evict.contains(member.task.id) {
                    let checkpoint = await member.storeCheckpoint()
                    member.stop()
                    await control.evicted(member.task, checkpoint: checkpoint)
                }
                let leaving = change.stop.union(change.evict)
                stepping = running.filter { !leaving.contains($0.task.id) }
                opening = opening.filter { !leaving.contains($0.task.id) }
                    + start(change.admit, control: control, opened: opened, watch: members, children: &children)
            }
            members.close()
            try await children.waitForAll()
        }
    }

    /// Abandons every member past a deadline (``deadlines``), looking once a second (or more
    /// often for short deadlines), until the batch admits no more members and all have ended.
    private func watch(_ members: MemberWatch, control: any BatchControl) async {
        let tick = min(.seconds(1), .seconds(min(deadlines.openSeconds, deadlines.finishSeconds)) / 4)
        while !Task.isCancelled {
            let (live, closed) = members.snapshot()
            if closed && live.isEmpty { return }
            let now = clock.now
            for member in live {
                if let error = deadlines.passed(by: member, now: now) {
                    await member.abandon(error, control: control, logger: logger)
                }
            }
            try? await clock.sleep(for: tick)
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

    /// Starts a member's child for each of `tasks` (it opens the member, then encodes and
    /// uploads); a task whose assets, model or encoder fail is recorded as failed by its child.
    private func start(
        _ tasks: [TaskRecord], control: any BatchControl, opened: Doorbell, watch: MemberWatch, children: inout ThrowingTaskGroup<Void, any Error>
    ) -> [BatchMember] {
        tasks.map { task in
            // The task's own model; its last attempt on the fallback model when one is configured.
            var renderer = self.renderer
            renderer.modelName = task.model
            if task.useFallback, let fallback = fallbackRenderer {
                renderer = fallback
                fallbacks.increment()
            }
            let tried = RenderFailure.tried(task, primary: task.model, fallback: renderer.modelName ?? renderer.model.name)
            let member = BatchMember(
                task, renderer: renderer, objects: objects, spool: spool, in: workDirectory, tried: tried, opened: opened, device: device.name,
                openedAt: clock.now
            )
            watch.add(member)
            let (health, logger) = (self.health, self.logger)
            health.runningTasks.add(1, ordering: .relaxed)
            children.addTask {
                await member.live(control: control, logger: logger)
                health.runningTasks.subtract(1, ordering: .relaxed)
            }
            return member
        }
    }
}
