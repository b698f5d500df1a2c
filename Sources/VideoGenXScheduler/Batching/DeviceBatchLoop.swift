import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import Tracing
import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// One device's loop (DESIGN §5): claim → batch → run → report. It claims the most urgent task
/// (lane order), gathers more of the same batch key for up to the window, and runs them as one
/// continuous batch: at every step boundary finished tasks are completed, free slots are refilled
/// with claimable tasks of the key, and a P0 task of the key takes the place of the least urgent
/// task (checkpointed and released, no attempt charged). A P0 of another key pauses the whole
/// batch (unless it holds a P0). A device that goes offline or hangs (step watchdog) releases
/// its batch at once and stops claiming.
struct DeviceBatchLoop: Sendable {
    let device: any BatchDevice
    let runner: any BatchRunner
    let store: any TaskStore
    let configuration: BatchingConfiguration
    let coordination: BatchCoordination
    let doorbell: Doorbell
    /// The clock of the window, the watchdog, renewals and progress writes.
    let clock: MonotonicClock
    let logger: Logger

    var workerName: String { "\(configuration.workerName)/\(device.name)" }

    /// Runs until cancelled.
    func run() async {
        let cap = CapState(BatchCapController(maxBatchSize: configuration.batching ? configuration.maxBatchSize : 1, thresholds: configuration.thresholds))
        var head: TaskRecord?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            if coordination.isQuarantined(device.name) { return }
            guard device.isOnline else {
                // Offline: claim nothing; look again at the monitor's cadence.
                await doorbell.wait(timeout: .milliseconds(100))
                continue
            }
            if head == nil {
                head = await claim(capacity: 1, filter: ClaimFilter()).first
            }
            guard let first = head else {
                await doorbell.wait(timeout: .seconds(configuration.idlePollSeconds))
                continue
            }
            head = nil
            let batch = await gather(first, cap: cap.value)
            let control = LoopControl(loop: self, batch: batch, cap: cap)
            switch await execute(batch, control: control) {
            case .drained:
                break
            case .paused:
                // Take the waiting P0 before the paused tasks go back, so no other device is
                // preempted for it in between.
                head = await claim(capacity: 1, filter: ClaimFilter(priorities: [.p0])).first
                await control.releaseDeferred()
            case .deviceLost:
                return
            }
        }
    }

    /// `first` and up to `cap − 1` more claimable tasks of its batch key, waiting up to the window
    /// for them to arrive.
    private func gather(_ first: TaskRecord, cap: Int) async -> [TaskRecord] {
        var batch = [first]
        let cap = memoryLimited(cap, for: first)
        guard cap > 1 else { return batch }
        let deadline = clock.now.advanced(by: .seconds(configuration.windowSeconds))
        while batch.count < cap {
            batch += await claim(capacity: cap - batch.count, filter: ClaimFilter(batchKey: first.batchKey))
            let left = clock.now.duration(to: deadline)
            guard batch.count < cap, left > Duration.zero, !Task.isCancelled else { break }
            await doorbell.wait(timeout: left)
        }
        return batch
    }

    /// The memory guard: `cap`, lowered to the tasks like `task` that fit in the device's free
    /// memory (at least one); the rest of a larger batch stays queued. Asked once per batch start
    /// and once per sampler step; each time it lowers the cap counts as a memory split.
    func memoryLimited(_ cap: Int, for task: TaskRecord) -> Int {
        let each = runner.memoryEstimate(for: task)
        guard each > 0, let free = device.freeMemoryBytes else { return cap }
        let fitting = max(1, Int(min(free / each, UInt64(Int.max))))
        if fitting < cap {
            coordination.counters.memorySplits.add()
            logger.debug("batch limited by memory", metadata: ["device": "\(device.name)", "batch.cap": "\(cap)", "batch.fits": "\(fitting)"])
        }
        return min(cap, fitting)
    }

    func claim(capacity: Int, filter: ClaimFilter) async -> [TaskRecord] {
        guard !coordination.claimsHeld() else { return [] }
        do {
            let start = DefaultTracerClock.now
            let claimed = try await store.claim(worker: workerName, capacity: capacity, leaseSeconds: configuration.leaseSeconds, filter: filter)
            for task in claimed {
                // The claim, in the trace of the request that submitted each task.
                let span = startSpan("task.claim", context: task.traceParentContext, ofKind: .consumer, at: start)
                span.attributes["videogenx.task.id"] = task.id.rawValue
                span.attributes["videogenx.worker"] = workerName
                span.attributes["videogenx.device"] = device.name
                span.end()
            }
            return claimed
        } catch {
            if !Task.isCancelled { logger.error("claim failed", metadata: ["device": "\(device.name)", "error": "\(error)"]) }
            return []
        }
    }

    private enum Ended {
        case drained
        case paused
        case deviceLost
    }

    /// Runs the batch under the step watchdog and lease renewal; on a failure deals with the
    /// tasks still in it.
    private func execute(_ batch: [TaskRecord], control: LoopControl) async -> Ended {
        coordination.batches.update(device.name, running: batch, policy: configuration.preemption)
        defer { coordination.batches.update(device.name, running: [], policy: configuration.preemption) }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runner.run(batch, control: control) }
                group.addTask { try await watch(control) }
                defer { group.cancelAll() }
                try await group.next()
            }
            return control.isPausingAll ? .paused : .drained
        } catch let error as DeviceError where error.code == .offline || error.code == .hung {
            coordination.counters.deviceFaults.add()
            let members = control.members
            logger.critical(
                "device lost: its batch goes back to the queue",
                metadata: ["device": "\(device.name)", "error": "\(error)", "error.code": "\(error.code.rawValue)", "batch.size": "\(members.count)"]
            )
            await release(members, checkpoints: [:])
            await control.releaseDeferred()
            if error.code == .hung { coordination.quarantine(device.name) }
            return error.code == .hung ? .deviceLost : .drained
        } catch is CancellationError {
            // Shutting down: the store calls run outside the cancelled task.
            await Task {
                await release(control.members, checkpoints: [:])
                await control.releaseDeferred()
            }.value
            return .deviceLost
        } catch {
            coordination.counters.failedBatches.add()
            Counter(label: "videogenx_inference_errors_total", dimensions: [("model", batch[0].model)]).increment()
            logger.error("batch failed", metadata: ["device": "\(device.name)", "error": "\(error)"])
            for task in control.members {
                _ = try? await store.fail(
                    task.id, token: task.fencingToken, error: TaskFailure(code: "batch_failed", message: "\(error)"), retryable: true
                )
            }
            await control.releaseDeferred()
            return .drained
        }
    }

    /// The step watchdog, lease renewal and progress: throws ``DeviceError`` `hung` when no
    /// sampler step ended for ``BatchingConfiguration/stepWatchdogSeconds`` while steps run;
    /// writes pending progress every ``BatchingConfiguration/progressSeconds`` and renews the
    /// members' leases every ``BatchingConfiguration/heartbeatSeconds``. Runs until cancelled.
    private func watch(_ control: LoopControl) async throws {
        let watchdog = Duration.seconds(configuration.stepWatchdogSeconds)
        let renewal = Duration.seconds(configuration.heartbeatSeconds ?? configuration.leaseSeconds / 3)
        let progress = Duration.seconds(configuration.progressSeconds)
        let tick = min(.milliseconds(100), watchdog / 4, progress)
        var renewed = clock.now
        var reported = clock.now
        while true {
            try await clock.sleep(for: tick)
            let now = clock.now
            if control.isStepping, control.lastStep.duration(to: now) > watchdog {
                throw DeviceError(code: .hung, message: "\(device.name): no sampler step ended in \(configuration.stepWatchdogSeconds) s")
            }
            let renew = renewed.duration(to: now) >= renewal
            if renew || reported.duration(to: now) >= progress {
                reported = now
                if renew { renewed = now }
                await control.report(renew: renew, leaseSeconds: configuration.leaseSeconds)
            }
        }
    }

    /// Puts `tasks` back in the queue without charging an attempt, with a checkpoint where one was taken.
    func release(_ tasks: [TaskRecord], checkpoints: [TaskID: String]) async {
        for task in tasks {
            do {
                _ = try await store.release(task.id, token: task.fencingToken, checkpoint: checkpoints[task.id])
            } catch {
                logger.warning("releasing a task failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
            }
        }
    }
}

/// A device's batch cap, shared by its loop and its running batch's control.
final class CapState: Sendable {
    private let controller: Mutex<BatchCapController>

    init(_ controller: BatchCapController) {
        self.controller = Mutex(controller)
    }

    /// The current cap.
    var value: Int { controller.withLock { $0.cap } }

    /// Feeds one report to the controller.
    func observe(utilisation: Double, memory: Double, full: Bool) {
        _ = controller.withLock { $0.observe(utilisation: utilisation, memory: memory, lastBatchFull: full) }
    }
}
