import Foundation
import Logging
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXStore

/// One device's loop (DESIGN §5): claim → batch → run → report. It claims the most urgent task
/// (lane order), gathers more of the same batch key for up to the window, runs them as one batch,
/// records each outcome in the store and feeds the cap controller. A batch paused for a P0 task
/// is released (no attempt charged) after the device has claimed that P0. A device that goes
/// offline or hangs (step watchdog) releases its batch at once and stops claiming.
struct DeviceBatchLoop: Sendable {
    let device: any BatchDevice
    let runner: any BatchRunner
    let store: any TaskStore
    let configuration: BatchingConfiguration
    let coordination: BatchCoordination
    let doorbell: Doorbell
    let logger: Logger

    private var workerName: String { "\(configuration.workerName)/\(device.name)" }

    /// Runs until cancelled.
    func run() async {
        var controller = BatchCapController(
            maxBatchSize: configuration.batching ? configuration.maxBatchSize : 1, thresholds: configuration.thresholds
        )
        var head: TaskRecord?
        while !Task.isCancelled {
            if coordination.isQuarantined(device.name) { return }
            guard device.isOnline else {
                // Offline: claim nothing; look again at the monitor's cadence.
                await doorbell.wait(timeout: .milliseconds(100))
                continue
            }
            let cap = controller.cap
            if head == nil {
                head = await claim(capacity: 1, filter: ClaimFilter()).first
            }
            guard let first = head else {
                await doorbell.wait(timeout: .seconds(configuration.idlePollSeconds))
                continue
            }
            head = nil
            let batch = await gather(first, cap: cap)
            switch await execute(batch) {
            case .paused(let checkpoints, let batch):
                // Take the waiting P0 before the paused tasks go back, so no other device is
                // preempted for it in between.
                head = await claim(capacity: 1, filter: ClaimFilter(priorities: [.p0])).first
                await release(batch, checkpoints: checkpoints)
            case .done:
                _ = controller.observe(utilisation: device.utilisation, memory: device.memoryFraction, lastBatchFull: batch.count >= cap)
            case .deviceLost:
                return
            }
        }
    }

    /// `first` and up to `cap − 1` more claimable tasks of its batch key, waiting up to the window
    /// for them to arrive.
    private func gather(_ first: TaskRecord, cap: Int) async -> [TaskRecord] {
        var batch = [first]
        guard cap > 1 else { return batch }
        let deadline = ContinuousClock.now + .seconds(configuration.windowSeconds)
        while batch.count < cap {
            batch += await claim(capacity: cap - batch.count, filter: ClaimFilter(batchKey: first.batchKey))
            let left = deadline - ContinuousClock.now
            guard batch.count < cap, left > Duration.zero, !Task.isCancelled else { break }
            await doorbell.wait(timeout: left)
        }
        return batch
    }

    private func claim(capacity: Int, filter: ClaimFilter) async -> [TaskRecord] {
        do {
            return try await store.claim(worker: workerName, capacity: capacity, leaseSeconds: configuration.leaseSeconds, filter: filter)
        } catch {
            if !Task.isCancelled { logger.error("claim failed", metadata: ["device": "\(device.name)", "error": "\(error)"]) }
            return []
        }
    }

    private enum Ended {
        case done
        case paused([TaskID: String], [TaskRecord])
        case deviceLost
    }

    /// Runs `batch` under the step watchdog and lease renewal and records the outcome.
    private func execute(_ batch: [TaskRecord]) async -> Ended {
        let priority = batch.map(\.priority).min { $0.rawValue < $1.rawValue } ?? .p3
        let pause = coordination.running.add(batch[0].id, priority: priority)
        coordination.busy.add(1, ordering: .relaxed)
        defer {
            coordination.running.remove(batch[0].id)
            coordination.busy.subtract(1, ordering: .relaxed)
        }
        let lastStep = StepTimer()
        do {
            let outcome = try await withThrowingTaskGroup(of: BatchOutcome?.self) { group in
                group.addTask {
                    try await runner.run(batch, pause: pause) { _, _ in lastStep.mark() }
                }
                group.addTask {
                    try await watch(batch, lastStep: lastStep)
                    return nil
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                throw CancellationError()
            }
            switch outcome {
            case .finished(let results):
                for task in batch {
                    guard let result = results[task.id] else { continue }
                    do {
                        _ = try await store.complete(task.id, token: task.fencingToken, result: result)
                    } catch {
                        logger.warning("completing a task failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
                    }
                }
                coordination.counters.batches.add(1, ordering: .relaxed)
                coordination.counters.batchedTasks.add(batch.count, ordering: .relaxed)
                return .done
            case .paused(let checkpoints):
                coordination.counters.preemptions.add(1, ordering: .relaxed)
                logger.info("batch paused for a P0 task", metadata: ["device": "\(device.name)", "batch.size": "\(batch.count)"])
                return .paused(checkpoints, batch)
            }
        } catch let error as DeviceError where error.code == .offline || error.code == .hung {
            coordination.counters.deviceFaults.add(1, ordering: .relaxed)
            logger.critical(
                "device lost: its batch goes back to the queue",
                metadata: ["device": "\(device.name)", "error": "\(error)", "error.code": "\(error.code.rawValue)", "batch.size": "\(batch.count)"]
            )
            await release(batch, checkpoints: [:])
            if error.code == .hung { coordination.quarantine(device.name) }
            return error.code == .hung ? .deviceLost : .done
        } catch is CancellationError {
            // Shutting down: the store calls run outside the cancelled task.
            await Task { await release(batch, checkpoints: [:]) }.value
            return .deviceLost
        } catch {
            coordination.counters.failedBatches.add(1, ordering: .relaxed)
            logger.error("batch failed", metadata: ["device": "\(device.name)", "error": "\(error)"])
            for task in batch {
                _ = try? await store.fail(
                    task.id, token: task.fencingToken, error: TaskFailure(code: "batch_failed", message: "\(error)"), retryable: true
                )
            }
            return .done
        }
    }

    /// The step watchdog and lease renewal: throws ``DeviceError`` `hung` when no sampler step
    /// ended for ``BatchingConfiguration/stepWatchdogSeconds``; renews the batch's leases at a
    /// third of their length. Runs until cancelled.
    private func watch(_ batch: [TaskRecord], lastStep: StepTimer) async throws {
        let watchdog = Duration.seconds(configuration.stepWatchdogSeconds)
        let renewal = Duration.seconds(configuration.leaseSeconds / 3)
        let tick = min(.milliseconds(100), watchdog / 4)
        var renewed = ContinuousClock.now
        while true {
            try await Task.sleep(for: tick)
            let now = ContinuousClock.now
            if now - lastStep.last > watchdog {
                throw DeviceError(code: .hung, message: "\(device.name): no sampler step ended in \(configuration.stepWatchdogSeconds) s")
            }
            if now - renewed >= renewal {
                renewed = now
                for task in batch {
                    _ = try? await store.heartbeat(task.id, token: task.fencingToken, leaseSeconds: configuration.leaseSeconds)
                }
            }
        }
    }

    /// Puts `batch` back in the queue without charging an attempt, with a checkpoint where one was taken.
    private func release(_ batch: [TaskRecord], checkpoints: [TaskID: String]) async {
        for task in batch {
            do {
                _ = try await store.release(task.id, token: task.fencingToken, checkpoint: checkpoints[task.id])
            } catch {
                logger.warning("releasing a task failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
            }
        }
    }
}

/// When the running batch last finished a sampler step (the watchdog's reference).
final class StepTimer: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    /// Records that a step just ended.
    func mark() {
        instant.withLock { $0 = .now }
    }

    /// When the last step ended (or the batch started).
    var last: ContinuousClock.Instant { instant.withLock { $0 } }
}
