import Foundation
import Logging
import Synchronization
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXPlatform
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite

/// `serve`'s real render path under a backlog: the same tasks (one batch key, distinct seeds)
/// queued in a fresh SQLite store and folder object store, drained by the worker — batch
/// scheduler, rendering runner, procedural model, ffmpeg, upload — at each capacity in turn,
/// alternating for a number of rounds, in the same process. Reports the median round of each
/// capacity: tasks per second and the mean tasks per batch step.
public struct WorkerBenchmark: Sendable {
    /// Worker capacities measured, in order. Default 1 (batching off) and 4.
    public var capacities: [Int]
    /// Tasks per run. Default 8.
    public var tasks: Int
    /// Each task's request (its seed is replaced per task).
    public var request: GenerationSpec
    /// Rounds; each runs every capacity once. Default 3.
    public var rounds: Int

    /// Creates the benchmark.
    public init(capacities: [Int] = [1, 4], tasks: Int = 8, rounds: Int = 3, request: GenerationSpec) {
        self.capacities = capacities
        self.rounds = max(1, rounds)
        self.tasks = tasks
        self.request = request
    }

    /// One capacity's run.
    public struct Line: Sendable {
        /// The worker's capacity (1: batching off).
        public var capacity: Int
        /// Wall seconds from the worker's start to the last task's end.
        public var seconds: Double
        /// Tasks that succeeded.
        public var succeeded: Int
        /// Tasks per batch step, on average.
        public var meanBatch: Double
        /// Succeeded tasks per second.
        public var tasksPerSecond: Double { Double(succeeded) / seconds }
    }

    /// Runs every capacity in turn, `rounds` times; returns each capacity's median round (by seconds).
    /// - Throws: when the temporary store cannot be made.
    public func run(log: (String) -> Void) async throws -> [Line] {
        var runs = [[Line]](repeating: [], count: capacities.count)
        for round in 1...rounds {
            for (index, capacity) in capacities.enumerated() {
                let line = try await measure(capacity: capacity)
                log(String(format: "round %d, capacity %d: %d tasks in %.1f s, mean batch %.2f", round, capacity, line.succeeded, line.seconds, line.meanBatch))
                runs[index].append(line)
            }
        }
        return runs.map { lines in lines.sorted { $0.seconds < $1.seconds }[lines.count / 2] }
    }

    private func measure(capacity: Int) async throws -> Line {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-bench-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path)
        let objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: .random())
        var ids: [TaskID] = []
        for index in 0..<tasks {
            var spec = request
            spec.seed = UInt64(index + 1)
            ids.append(try await store.create(NewTask(userID: "bench", request: spec)).task.id)
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let configuration = WorkerConfiguration(name: "bench", pollSeconds: 0.05, workDirectory: directory, capacity: capacity)
        let worker = Worker(store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel()), configuration: configuration, logger: logger)
        let clock = ContinuousClock()
        let started = clock.now
        let running = Task { try await worker.run() }
        var succeeded = 0
        for id in ids {
            while true {
                if let task = try await store.get(id), task.status.isTerminal {
                    if task.status == .succeeded { succeeded += 1 }
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        let seconds = (clock.now - started) / .seconds(1)
        running.cancel()
        _ = try? await running.value
        let steps = worker.counters.batchSteps.value
        let taskSteps = worker.counters.taskSteps.value
        return Line(capacity: capacity, seconds: seconds, succeeded: succeeded, meanBatch: steps == 0 ? 0 : Double(taskSteps) / Double(steps))
    }
}
