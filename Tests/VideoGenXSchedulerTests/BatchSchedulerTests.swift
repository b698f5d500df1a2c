import Foundation
import Logging
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport

/// The batch scheduler on simulated devices and a real SQLite store: batching by key within the
/// window, P0 preemption with resume from the checkpointed step, and device faults.
@Suite("Batch scheduler", .timeLimit(.minutes(1)))
struct BatchSchedulerTests {
    /// A store in a temporary directory, simulated devices and helpers to run the scheduler.
    final class Fixture: Sendable {
        let directory: URL
        let store: SQLiteTaskStore

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-batch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        /// A device whose step costs `(a + b·n)` with b = `perItem` seconds (one latent frame) on `clock`.
        func device(_ name: String, perItem: Double = 0.002, totalMemory: UInt64 = 16 << 30, clock: MonotonicClock = .continuous) -> SimulatedDevice {
            SimulatedDevice(
                name: name,
                cost: DeviceCostModel(fixedSeconds: perItem * 11 / 3, perItemSeconds: perItem, baseMemory: 1 << 30, perItemMemory: 1 << 28, totalMemory: totalMemory),
                clock: clock
            )
        }

        /// Queues a task of `steps` steps (4 frames: one latent frame) at `priority`.
        func create(steps: Int = 10, priority: TaskPriority = .p2, seed: UInt64 = 1, tier: Tier? = nil) async throws -> TaskRecord {
            var spec = try GenerationRequest(text: "batch", params: .init(resolution: "720P", duration: 15, steps: 20, seed: seed)).validated()
            spec.steps = steps
            spec.fps = 4
            spec.durationSeconds = 1
            return try await store.create(NewTask(userID: "u", request: spec, priority: priority, tier: tier)).task
        }

        /// Runs `scheduler` while `body` runs.
        func running<T: Sendable>(_ scheduler: BatchScheduler, _ body: () async throws -> T) async throws -> T {
            let task = Task { try await scheduler.run() }
            defer { task.cancel() }
            return try await body()
        }

        /// Waits up to `seconds` for `condition` (a liveness bound, generous: CI runs every suite
        /// at once on two cores, the ONNX and encoder suites among them).
        func eventually(_ seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while ContinuousClock.now < deadline {
                if try await condition() { return true }
                try await Task.sleep(for: .milliseconds(10))
            }
            return try await condition()
        }

        /// Expects `condition` to hold within `seconds`.
        func expectEventually(
            _ seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
        ) async throws {
            let held = try await eventually(seconds, condition)
            #expect(held, sourceLocation: sourceLocation)
        }

        func status(_ task: TaskRecord) async throws -> TaskStatus? {
            try await store.get(task.id)?.status
        }
    }

    /// Records the tasks of every sampler step (before finished ones leave), then runs them on
    /// the simulated device.
    final class RecordingRunner: BatchRunner {
        let inner: SimulatedBatchRunner
        /// The task ids of each step, in order.
        let steps = Mutex<[[TaskID]]>([])

        init(inner: SimulatedBatchRunner) {
            self.inner = inner
        }

        func run(_ batch: [TaskRecord], control: any BatchControl) async throws {
            try await inner.run(batch, control: Recording(inner: control, runner: self, running: batch.map(\.id)))
        }

        func memoryEstimate(for task: TaskRecord) -> UInt64 {
            inner.memoryEstimate(for: task)
        }

        /// Passes everything through and notes each step's tasks.
        final class Recording: BatchControl {
            let inner: any BatchControl
            let runner: RecordingRunner
            let running: Mutex<[TaskID]>

            init(inner: any BatchControl, runner: RecordingRunner, running: [TaskID]) {
                self.inner = inner
                self.runner = runner
                self.running = Mutex(running)
            }

            func finished(_ task: TaskRecord, result: TaskResult) async -> TaskStatus? {
                await inner.finished(task, result: result)
            }

            func afterStep(running now: [TaskRecord]) async -> BatchChange {
                let stepped = running.withLock { $0 }
                runner.steps.withLock { $0.append(stepped) }
                let change = await inner.afterStep(running: now)
                running.withLock { $0 = now.map(\.id).filter { !change.evict.contains($0) && !change.stop.contains($0) } + change.admit.map(\.id) }
                return change
            }

            func evicted(_ task: TaskRecord, checkpoint: String?) async {
                await inner.evicted(task, checkpoint: checkpoint)
            }

            func holdsLease(_ task: TaskRecord) async -> Bool {
                await inner.holdsLease(task)
            }

            func failed(_ task: TaskRecord, failure: TaskFailure, retryable: Bool) async {
                await inner.failed(task, failure: failure, retryable: retryable)
            }

            func progress(_ task: TaskRecord, percent: Int, stage: String) {
                inner.progress(task, percent: percent, stage: stage)
            }

            func cancelRequested(_ task: TaskRecord) -> Bool {
                inner.cancelRequested(task)
            }

            func cancelled(_ task: TaskRecord) async {
                await inner.cancelled(task)
            }

            func waitingForMembers(_ waiting: Bool) {
                inner.waitingForMembers(waiting)
            }

            func handedOff(_ task: TaskRecord) async {
                await inner.handedOff(task)
            }
        }
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }

    @Test("Tasks with one batch key run together, another key never joins them; the cap grows after full turnovers and freed slots are refilled")
    func batchesByKey() async throws {
        let f = try Fixture()
        let device = f.device("sim0")
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        var same: [TaskRecord] = []
        for _ in 0..<6 { same.append(try await f.create(steps: 10)) }
        let other = try await f.create(steps: 12)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)],
            configuration: BatchingConfiguration(windowSeconds: 0.05, maxBatchSize: 8), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually { try await f.store.recentCompletions(limit: 10).count == 7 }
        }
        let steps = runner.steps.withLock { $0 }
        let keyOf = Dictionary(uniqueKeysWithValues: (same + [other]).map { ($0.id, $0.batchKey) })
        #expect(steps.allSatisfy { Set($0.compactMap { keyOf[$0] }).count == 1 }, "never two keys in one step")
        #expect(steps.contains { $0 == [other.id] })
        // The cap starts at 1 and grows by one per full turnover: 1, then 2, then 3 (refilled in
        // the same batch, without waiting for it to drain).
        let sizes = steps.filter { !$0.contains(other.id) }.map(\.count)
        #expect(sizes.first == 1 && sizes.max() == 3)
        #expect(sizes == sizes.sorted(), "the batch only grows while the six drain in")
        #expect(scheduler.counters.finishedTasks.value == 7)
    }

    @Test("The memory guard: a batch never holds more tasks than fit in the device's free memory; the rest run in later steps")
    func memoryGuard() async throws {
        let f = try Fixture()
        // The model holds 1 GiB, each task 256 MiB: three fit in 1.75 GiB.
        let device = f.device("sim0", totalMemory: (1 << 30) + 3 * (1 << 28))
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        for _ in 0..<8 { _ = try await f.create(steps: 6) }
        // The cap controller's memory rule is off, so only the guard limits the batch.
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)],
            configuration: BatchingConfiguration(windowSeconds: 0.01, thresholds: .init(shrinkAboveMemory: 1.01)), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually { try await f.store.recentCompletions(limit: 10).count == 8 }
        }
        let sizes = runner.steps.withLock { $0.map(\.count) }
        #expect(sizes.max() == 3)
        #expect(scheduler.counters.memorySplits.value > 0)
    }

    @Test("A running batch writes progress; a task cancelled in it stops at a step boundary and is confirmed cancelled while the rest of the batch finishes")
    func cancelInBatch() async throws {
        let f = try Fixture()
        let device = f.device("sim0")
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        // The cap starts at 1 and grows on a turnover: a short task first makes room for two.
        let short = try await f.create(steps: 2, seed: 3)
        let doomed = try await f.create(steps: 800, seed: 1)
        let other = try await f.create(steps: 800, seed: 2)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)],
            configuration: BatchingConfiguration(windowSeconds: 0.05, maxBatchSize: 8), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually {
                let doomedNow = try await f.store.get(doomed.id)
                let otherNow = try await f.store.get(other.id)
                return doomedNow?.status == .processing && (doomedNow?.progress ?? 0) > 0 && otherNow?.status == .processing
            }
            _ = try await f.store.cancel(doomed.id, userID: "u")
            try await f.expectEventually { try await f.status(doomed) == .cancelled }
            let steps = runner.steps.withLock { $0.count }
            try await f.expectEventually(30) { try await f.status(other) == .succeeded }
            let after = runner.steps.withLock { $0.dropFirst(steps + 1) }
            #expect(!after.isEmpty && after.allSatisfy { !$0.contains(doomed.id) }, "the cancelled task left the batch")
        }
        #expect(try await f.status(short) == .succeeded)
        #expect(try await f.store.get(doomed.id)?.attempt == 0)
    }

    @Test("With batching off every batch holds one task")
    func batchingOff() async throws {
        let f = try Fixture()
        let device = f.device("sim0")
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        for _ in 0..<4 { _ = try await f.create(steps: 5) }
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)], configuration: BatchingConfiguration(batching: false), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually { try await f.store.recentCompletions(limit: 10).count == 4 }
        }
        #expect(runner.steps.withLock { $0.allSatisfy { $0.count == 1 } })
        #expect(scheduler.counters.finishedTasks.value == 4)
    }

    @Test("A P0 task takes the running P3's place at the next step: the P3 is checkpointed and released with no attempt charged, and resumes from that step")
    func preemption() async throws {
        let f = try Fixture()
        let device = f.device("sim0", perItem: 0.006)  // 28 ms a step: 40 steps ≈ 1.1 s
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        let slow = try await f.create(steps: 40, priority: .p3)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)], configuration: BatchingConfiguration(windowSeconds: 0.01), logger: Self.logger
        )
        try await f.running(scheduler) {
            // A few of its 40 steps ran.
            try await f.expectEventually { runner.steps.withLock { $0.count } >= 5 }
            let urgent = try await f.create(steps: 40, priority: .p0, seed: 2)  // the same batch key
            try await f.expectEventually(30) { try await f.status(urgent) == .succeeded }
            try await f.expectEventually(30) { try await f.status(slow) == .succeeded }
        }
        // Order, not timing (CI runs every suite at once): the P0 started and finished while the
        // P3 was still unfinished. Unloaded, the P0 starts within one 28 ms step.
        let urgentRecord = try #require(try await f.store.list(userID: "u", status: .succeeded, limit: 10, after: nil).tasks.first { $0.priority == .p0 })
        let record = try #require(try await f.store.get(slow.id))
        let slowDone = try #require(record.finishedAt)
        let urgentStarted = try #require(urgentRecord.startedAt)
        let urgentDone = try #require(urgentRecord.finishedAt)
        #expect(urgentStarted < slowDone && urgentDone < slowDone)
        #expect(record.attempt == 0)
        #expect(scheduler.counters.preemptions.value == 1)
        // The P3 ran alone, then the P0 alone in its place, then the P3 again.
        let steps = runner.steps.withLock { $0 }
        #expect(steps.first == [slow.id] && steps.last == [slow.id])
        #expect(steps.contains { $0 == [urgentRecord.id] })
        // It resumed where it stopped: its steps add up to 40, not more.
        #expect(steps.filter { $0 == [slow.id] }.count == 40)
        let resumedFrom = try #require(record.checkpointRef)
        let step = try #require(Int(resumedFrom.dropFirst("sim-step:".count)))
        #expect(resumedFrom.hasPrefix("sim-step:") && (1..<40).contains(step))
    }

    @Test("A P0 task of another batch key pauses the whole running batch; the device runs the P0, the paused tasks resume from their step")
    func preemptionAcrossKeys() async throws {
        let f = try Fixture()
        let device = f.device("sim0", perItem: 0.006)
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        let slow = try await f.create(steps: 100, priority: .p2)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)], configuration: BatchingConfiguration(windowSeconds: 0.01), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually { runner.steps.withLock { $0.count } >= 5 }
            _ = try await f.create(steps: 7, priority: .p0, seed: 2)
            try await f.expectEventually(30) { try await f.status(slow) == .succeeded }
        }
        let record = try #require(try await f.store.get(slow.id))
        #expect(record.attempt == 0)
        let steps = runner.steps.withLock { $0 }
        #expect(steps.filter { $0 == [slow.id] }.count == 100, "resumed from its step")
        #expect(steps.filter { !$0.contains(slow.id) }.count == 7, "the P0 ran its 7 steps in between")
        #expect(scheduler.counters.preemptions.value == 1)
    }

    @Test("Preemption spares tiers it is told to: a running admin P3 is not paused when only free and paid tasks may be; the P0 waits for it")
    func tierSpared() async throws {
        let f = try Fixture()
        let device = f.device("sim0", perItem: 0.006)
        let runner = RecordingRunner(inner: SimulatedBatchRunner(device: device))
        let slow = try await f.create(steps: 30, priority: .p3, tier: .admin)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: runner)],
            configuration: BatchingConfiguration(windowSeconds: 0.01, preemption: PreemptionPolicy(tiers: [.free, .paid])), logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually { try await f.status(slow) == .processing }
            let urgent = try await f.create(steps: 30, priority: .p0, seed: 2, tier: .free)
            try await f.expectEventually(30) { try await f.status(urgent) == .succeeded }
        }
        let p3 = try #require(try await f.store.get(slow.id))
        #expect(p3.status == .succeeded && p3.checkpointRef == nil)
        #expect(scheduler.counters.preemptions.value == 0)
        #expect(PreemptionPolicy(tiers: [.free]).allows(.p3, tier: nil), "tasks from before tiers were recorded count as any tier")
        #expect(!PreemptionPolicy.disabled.allows(.p3, tier: .free) && !PreemptionPolicy().allows(.p0, tier: .free))
    }

    @Test("A device that goes offline releases its batch at its next step, uncharged, and the other device finishes it; a hung device is caught by the step watchdog, no sooner than it allows — timed on a clock the test moves")
    func deviceFaults() async throws {
        for fault in [SimulatedDevice.Fault.offline, .hang] {
            let f = try Fixture()
            // The failing device and its scheduler run on a clock the test moves, so the time to
            // catch the fault is exact whatever the machine's load; the other on the system's.
            let manual = ManualClock()
            let clock = MonotonicClock(manual)
            let failing = f.device("sim0", perItem: 0.006, clock: clock)  // 28 ms a step
            let healthy = f.device("sim1", perItem: 0.006)
            let task = try await f.create(steps: 100)
            let scheduler = BatchScheduler(
                store: f.store,
                lanes: [.init(device: failing, runner: SimulatedBatchRunner(device: failing))],
                configuration: BatchingConfiguration(windowSeconds: 0.01, stepWatchdogSeconds: 0.3), clock: clock, logger: Self.logger
            )
            // Only the failing device at first, so it is the one that claims the task.
            let other = BatchScheduler(
                store: f.store, lanes: [.init(device: healthy, runner: SimulatedBatchRunner(device: healthy))],
                configuration: BatchingConfiguration(workerName: "other", windowSeconds: 0.01), logger: Self.logger
            )
            try await f.running(scheduler) {
                // Two sleep on the clock between events: the device's step and the watchdog's tick.
                let ran = try await manual.advance(atMost: .seconds(10), whileAsleep: 2) {
                    guard manual.now.offset >= .milliseconds(200) else { return false }
                    return try await f.status(task) == .processing
                }
                #expect(ran, "\(fault): the failing device runs the task for a few steps")
                try await f.running(other) {
                    failing.inject(fault)
                    let injected = manual.now
                    let caught = try await manual.advance(atMost: .seconds(10), whileAsleep: 2) { scheduler.counters.deviceFaults.value == 1 }
                    let took = injected.duration(to: manual.now)
                    #expect(caught, "\(fault): the fault was noticed")
                    switch fault {
                    case .hang:
                        // The watchdog ticks every 75 ms; a step in flight ends within 28 ms (and a rounding).
                        #expect(took > .milliseconds(300) && took <= .milliseconds(300 + 75 + 29), "hang caught after \(took)")
                    default:
                        #expect(took <= .milliseconds(29), "offline noticed at the next step, after \(took)")
                    }
                    try await f.expectEventually { try await f.store.get(task.id)?.leaseOwner == "other/sim1" }
                    try await f.expectEventually { try await f.status(task) == .succeeded }
                }
            }
            #expect(try await f.store.get(task.id)?.attempt == 0, "\(fault): no attempt charged")
            #expect(scheduler.counters.deviceFaults.value == 1)
        }
    }

    @Test("A batch the device fails is retried per the store's contract (an attempt is charged) and then succeeds")
    func failedBatchRetries() async throws {
        let f = try Fixture()
        let device = f.device("sim0")
        let task = try await f.create(steps: 5)
        device.inject(.failNextBatch)
        let scheduler = BatchScheduler(
            store: f.store, lanes: [.init(device: device, runner: SimulatedBatchRunner(device: device))], configuration: BatchingConfiguration(),
            logger: Self.logger
        )
        try await f.running(scheduler) {
            try await f.expectEventually(15) { try await f.status(task) == .succeeded }
        }
        #expect(try await f.store.get(task.id)?.attempt == 1)
        #expect(scheduler.counters.failedBatches.value == 1)
    }
}

extension Array {
    /// `map` with an async transform, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
