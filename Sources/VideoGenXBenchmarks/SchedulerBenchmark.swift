import Foundation
import Logging
import Synchronization
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXPlatform
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite

/// `bench scheduler`: the real batch scheduler (SQLite store, device loops, cap controller,
/// preemption) on simulated devices under a Poisson arrival stream that saturates them, run with
/// batching off, batching on, and batching on without preemption in the same process. Reports
/// completed tasks/s, device utilisation and time in queue per priority.
public struct SchedulerBenchmark: Sendable {
    /// Simulated devices. Default 2.
    public var devices: Int
    /// The devices' cost model. Default: b = 3 ms, a = 11/3·b (batch of 8 = 2.5× batch of 1).
    public var cost: DeviceCostModel
    /// Sampler steps per task. Default 30.
    public var steps: Int
    /// Arrivals per second; default 1.3 × the cost model's ideal throughput.
    public var arrivalsPerSecond: Double?
    /// Seconds before measuring (the cap grows from 1). Default 6.
    public var warmupSeconds: Double
    /// Seconds measured. Default 12.
    public var measureSeconds: Double
    /// Share of arrivals per priority P0…P3. Default 3 %, 17 %, 30 %, 50 %.
    public var priorityMix: [Double]
    /// Batching window in seconds. Default 0.1.
    public var windowSeconds: Double
    /// Seed of the arrival stream.
    public var seed: UInt64

    /// Creates the benchmark; defaults as documented on each property.
    public init(
        devices: Int = 2, cost: DeviceCostModel = SchedulerBenchmark.defaultCost, steps: Int = 30, arrivalsPerSecond: Double? = nil,
        warmupSeconds: Double = 6, measureSeconds: Double = 12, priorityMix: [Double] = [0.03, 0.17, 0.30, 0.50],
        windowSeconds: Double = 0.1, seed: UInt64 = 7
    ) {
        self.devices = devices
        self.cost = cost
        self.steps = steps
        self.arrivalsPerSecond = arrivalsPerSecond
        self.warmupSeconds = warmupSeconds
        self.measureSeconds = measureSeconds
        self.priorityMix = priorityMix
        self.windowSeconds = windowSeconds
        self.seed = seed
    }

    /// b = 3 ms per item-step, a = 11 ms: a step of a batch of 8 costs 35 ms, 2.5× a batch of 1.
    public static let defaultCost = DeviceCostModel(
        fixedSeconds: 0.011, perItemSeconds: 0.003, baseMemory: 4 << 30, perItemMemory: 1 << 30, totalMemory: 80 << 30
    )

    /// Tasks/s the cost model allows at batch `batch` on every device, with no overhead.
    public func idealThroughput(batch: Int) -> Double {
        Double(devices * batch) / (Double(steps) * cost.stepSeconds(batch: batch, latentFrames: 1))
    }

    /// One configuration's measurements.
    public struct Run: Sendable {
        /// `batching off`, `batching on`, `batching on, no preemption`.
        public var name: String
        /// Tasks finished per second in the measured interval.
        public var throughput: Double
        /// Mean busy fraction of the devices in the measured interval.
        public var utilisation: Double
        /// Mean tasks per sampler step in the measured interval.
        public var meanBatch: Double
        /// Batches paused for P0 tasks.
        public var preemptions: Int
        /// Seconds from creation to first claim, per priority P0…P3, of tasks created in the measured interval and claimed.
        public var queueSeconds: [[Double]]
        /// Tasks created in the measured interval per priority, and how many of them were claimed.
        public var created: [Int]
        /// See ``created``.
        public var claimed: [Int]
    }

    /// Runs the three configurations in turn.
    public func run(log: @Sendable (String) -> Void) async throws -> [Run] {
        let rate = arrivalsPerSecond ?? 1.3 * idealThroughput(batch: 8)
        log(String(format: "arrivals %.1f/s; ideal %.2f tasks/s at batch 8, %.2f at batch 1", rate, idealThroughput(batch: 8), idealThroughput(batch: 1)))
        var runs: [Run] = []
        for (name, batching, preemption) in [("batching off", false, true), ("batching on", true, true), ("batching on, no preemption", true, false)] {
            let result = try await measure(name: name, batching: batching, preemption: preemption, rate: rate)
            log(String(format: "%@: %.2f tasks/s, utilisation %.1f %%, mean batch %.2f, %d preemptions", name, result.throughput, result.utilisation * 100, result.meanBatch, result.preemptions))
            runs.append(result)
        }
        return runs
    }

    private func measure(name: String, batching: Bool, preemption: Bool, rate: Double) async throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-schedbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        let clock = MonotonicClock.continuous
        let simulated = (0..<devices).map { SimulatedDevice(name: "sim\($0)", cost: cost, clock: clock) }
        let configuration = BatchingConfiguration(
            workerName: "bench", batching: batching, windowSeconds: windowSeconds, maxBatchSize: 8,
            preemption: preemption ? PreemptionPolicy() : .disabled
        )
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let scheduler = BatchScheduler(
            store: store, lanes: simulated.map { .init(device: $0, runner: SimulatedBatchRunner(device: $0)) },
            configuration: configuration, clock: clock, logger: logger
        )
        var spec = try GenerationRequest(text: "benchmark", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        spec.steps = steps
        spec.fps = 4
        spec.durationSeconds = 1  // 4 frames: one latent frame
        let from = warmupSeconds
        let to = warmupSeconds + measureSeconds

        let finished = Mutex<[Double]>([])
        let events = store.events()
        let counting = Task {
            for await event in events where event.status == .succeeded {
                let now = clock.seconds
                finished.withLock { $0.append(now) }
            }
        }
        let running = Task { try await scheduler.run() }
        let counters = scheduler.counters
        let sampling = Task {
            var samples: [Double] = []
            var first: (steps: Int, tasks: Int)?
            while clock.seconds < to {
                try? await Task.sleep(for: .milliseconds(250))
                guard clock.seconds > from else { continue }
                first = first ?? (counters.batchSteps.value, counters.taskSteps.value)
                if clock.seconds > from + 1 { samples.append(simulated.map(\.utilisation).reduce(0, +) / Double(simulated.count)) }
            }
            let steps = counters.batchSteps.value - (first?.steps ?? 0)
            let tasks = counters.taskSteps.value - (first?.tasks ?? 0)
            return (samples, steps == 0 ? 0 : Double(tasks) / Double(steps))
        }
        // Poisson arrivals at absolute times, so a slow create does not lower the rate.
        var random = SplitMix64(seed: seed)
        var created: [(TaskID, TaskPriority, Double)] = []
        var next = 0.0
        while next < to {
            next += -log(1 - Double.random(in: 0..<1, using: &random)) / rate
            let wait = next - clock.seconds
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            let draw = Double.random(in: 0..<1, using: &random)
            var cumulative = 0.0
            let lane = priorityMix.firstIndex { cumulative += $0; return draw < cumulative } ?? 3
            let priority = TaskPriority.all[min(lane, 3)]
            let task = try await store.create(NewTask(userID: "bench", request: spec, priority: priority)).task
            created.append((task.id, priority, clock.seconds))
        }
        let (utilisation, meanBatch) = await sampling.value
        running.cancel()
        _ = try? await running.value
        counting.cancel()

        var queueSeconds = Array(repeating: [Double](), count: 4)
        var createdCount = Array(repeating: 0, count: 4)
        var claimedCount = Array(repeating: 0, count: 4)
        for (id, priority, at) in created where at >= from && at < to {
            let lane = priority.rawValue
            createdCount[lane] += 1
            guard let record = try await store.get(id), let started = record.startedAt else { continue }
            claimedCount[lane] += 1
            queueSeconds[lane].append(max(0, started.timeIntervalSince(record.createdAt)))
        }
        let done = finished.withLock { $0.filter { $0 >= from && $0 < to }.count }
        return Run(
            name: name, throughput: Double(done) / measureSeconds,
            utilisation: utilisation.isEmpty ? 0 : utilisation.reduce(0, +) / Double(utilisation.count),
            meanBatch: meanBatch, preemptions: scheduler.counters.preemptions.value,
            queueSeconds: queueSeconds, created: createdCount, claimed: claimedCount
        )
    }
}
