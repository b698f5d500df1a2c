import Foundation
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXPlatform

/// The procedural model's per-item cost curve: one window of n jobs sampled through the batched
/// path (``ProceduralModel/sampleLatents(batch:)``), n = 1, 2, 4, 8, against n single runs in the
/// same process. Reports median seconds per batch and per item relative to batch 1.
public struct BatchCostBenchmark: Sendable {
    /// Batch sizes measured. Default 1, 2, 4, 8.
    public var sizes: [Int]
    /// Runs per size; medians are kept. Default 3.
    public var repetitions: Int
    /// Sampler steps per job. Default 20.
    public var steps: Int

    /// Creates the benchmark; defaults as documented on each property.
    public init(sizes: [Int] = [1, 2, 4, 8], repetitions: Int = 3, steps: Int = 20) {
        self.sizes = sizes
        self.repetitions = repetitions
        self.steps = steps
    }

    /// One batch size's medians.
    public struct Line: Sendable {
        /// Jobs in the batch.
        public var size: Int
        /// Median seconds of the batch.
        public var batchSeconds: Double
        /// Median seconds of the same jobs run one after another.
        public var serialSeconds: Double
        /// `batchSeconds / size`.
        public var perItemSeconds: Double { batchSeconds / Double(size) }
    }

    /// Measures every size, alternating batched and serial runs.
    public func run(log: (String) -> Void) async throws -> [Line] {
        let model = ProceduralModel()
        try await model.load(on: .cpu)
        let clock = ContinuousClock()
        var lines: [Line] = []
        for size in sizes {
            let jobs = (0..<size).map { index in
                GenerationJob(prompt: "a red fox running through snow", width: 1280, height: 720, fps: 24, frameCount: 32, steps: steps, seed: UInt64(index + 1))
            }
            let items = jobs.map { ($0, model.windows(for: $0)[0]) }
            var batched: [Double] = []
            var serial: [Double] = []
            for _ in 0..<repetitions {
                let started = clock.now
                _ = try await model.sampleLatents(batch: items)
                batched.append((clock.now - started) / .seconds(1))
                let serialStart = clock.now
                for (job, window) in items { _ = try model.sampleLatents(for: job, latentFrames: window) }
                serial.append((clock.now - serialStart) / .seconds(1))
            }
            let line = Line(size: size, batchSeconds: batched.median, serialSeconds: serial.median)
            log(String(format: "batch %d: %.3f s batched, %.3f s one by one", size, line.batchSeconds, line.serialSeconds))
            lines.append(line)
        }
        return lines
    }
}
