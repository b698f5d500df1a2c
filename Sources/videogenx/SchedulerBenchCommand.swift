import ArgumentParser
import Foundation
import VideoGenXBenchmarks
import VideoGenXCore
import VideoGenXPlatform
import VideoGenXScheduler

/// `videogenx bench scheduler`: batching and preemption on simulated devices.
struct SchedulerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "The batch scheduler on simulated devices under saturating Poisson arrivals: batching off, on, and on without preemption."
    )

    @Option(help: "Simulated devices.")
    var devices = 2

    @Option(help: "Sampler steps per task.")
    var steps = 30

    @Option(help: "Seconds per step per video in the batch (b); a = 11/3·b makes a batch of 8 cost 2.5× a batch of 1.")
    var perItemSeconds = 0.003

    @Option(help: "Arrivals per second. (default: 1.3 × the ideal throughput)")
    var rate: Double?

    @Option(help: "Seconds before measuring.")
    var warmup = 6.0

    @Option(help: "Seconds measured per configuration.")
    var seconds = 12.0

    func run() async throws {
        guard devices > 0, steps > 0, perItemSeconds > 0, warmup >= 0, seconds > 0, (rate ?? 1) > 0 else {
            throw ValidationError("--devices, --steps, --per-item-seconds, --seconds and --rate must be positive; --warmup not negative")
        }
        var cost = SchedulerBenchmark.defaultCost
        cost.perItemSeconds = perItemSeconds
        cost.fixedSeconds = perItemSeconds * 11 / 3
        let benchmark = SchedulerBenchmark(devices: devices, cost: cost, steps: steps, arrivalsPerSecond: rate, warmupSeconds: warmup, measureSeconds: seconds)
        let runs = try await benchmark.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let ideal = benchmark.idealThroughput(batch: 8)
        print("| configuration | tasks/s | of ideal | utilisation | mean batch | preemptions | P0 p50/p95/p99 ms | P1 p50/p95/p99 ms | P3 p50/p95/p99 ms (claimed/created) |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for run in runs {
            func cell(_ lane: Int) -> String {
                let sorted = run.queueSeconds[lane].sorted()
                guard !sorted.isEmpty else { return "—" }
                let text = [0.5, 0.95, 0.99].map { String(format: "%.0f", sorted.nearestRank($0) * 1000) }.joined(separator: "/")
                return lane == 3 ? "\(text) (\(run.claimed[lane])/\(run.created[lane]))" : text
            }
            print(String(
                format: "| %@ | %.2f | %.1f %% | %.1f %% | %.2f | %d | %@ | %@ | %@ |", run.name, run.throughput, run.throughput / ideal * 100,
                run.utilisation * 100, run.meanBatch, run.preemptions, cell(0), cell(1), cell(3)
            ))
        }
        guard runs.count == 3 else { return }
        let (off, on, noPreemption) = (runs[0], runs[1], runs[2])
        let p99 = { (run: SchedulerBenchmark.Run) in run.queueSeconds[0].sorted().nearestRank(0.99) }
        let bound = cost.stepSeconds(batch: 8, latentFrames: 1) + 0.1
        print("")
        print(String(format: "batching on / off throughput: %.2f× (target ≥ 2.8×)", on.throughput / off.throughput))
        print(String(format: "batching on / ideal: %.1f %% (target ≥ 95 %%)", on.throughput / ideal * 100))
        print(String(format: "utilisation with batching: %.1f %% (target ≥ 90 %%)", on.utilisation * 100))
        print(String(format: "P0 p99 queue time with preemption: %.0f ms (target ≤ one step + one window = %.0f ms)", p99(on) * 1000, bound * 1000))
        print(String(format: "P0 p99 without / with preemption: %.1f× (target ≥ 10×)", p99(noPreemption) / max(p99(on), 1e-6)))
    }
}

/// `videogenx bench worker`: serve's real render path, batching off vs on, in one process.
struct WorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "The worker (batch scheduler, rendering runner, procedural model, ffmpeg, upload) draining a backlog of one batch key at capacity 1 and at --capacity."
    )

    @Option(help: "Tasks in the backlog of each run.")
    var tasks = 8

    @Option(help: "The batched run's capacity (2–8).")
    var capacity = 4

    @Option(help: "720P, 1080P or 4K.")
    var resolution = "720P"

    @Option(help: "Seconds of video per task.")
    var duration = 2

    @Option(help: "Sampler steps per task.")
    var steps = 20

    @Option(help: "Rounds, each running both capacities; the median round of each is reported.")
    var rounds = 3

    func run() async throws {
        guard tasks > 0, rounds > 0, (2...8).contains(capacity) else { throw ValidationError("--tasks and --rounds must be positive and --capacity 2–8") }
        let request = try GenerationRequest(
            text: "a lighthouse in a storm at night",
            params: .init(resolution: resolution, fps: 24, duration: duration, steps: steps, seed: 1, preset: "ultrafast")
        ).validated(limits: .oneShot)
        let lines = try await WorkerBenchmark(capacities: [1, capacity], tasks: tasks, rounds: rounds, request: request).run {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print("Medians of \(rounds) alternating rounds:")
        print("| capacity | tasks | seconds | tasks/s | mean batch |")
        print("|---:|---:|---:|---:|---:|")
        for line in lines {
            print(String(format: "| %d | %d | %.1f | %.3f | %.2f |", line.capacity, line.succeeded, line.seconds, line.tasksPerSecond, line.meanBatch))
        }
        if lines.count == 2 {
            print(String(format: "\nbatched / one at a time throughput: %.2f×", lines[1].tasksPerSecond / lines[0].tasksPerSecond))
        }
    }
}
