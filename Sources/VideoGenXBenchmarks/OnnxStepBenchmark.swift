import Foundation
import Subprocess
import SystemPackage
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXPlatform
import VideoGenXScheduler

/// `videogenx bench model --model NAME`: the time of one sampler step of an ONNX model through
/// our backend — the stepper, its denoiser session (conditional and unconditional as one batch of
/// two), guidance and the Euler update — against Python onnxruntime doing the same on the same
/// graph, latent shape and threads (`tools/models/bench_reference.py`), in the same run; and the
/// throughput at batch 1, 2, 4, 8 (our members step side by side, as the worker runs them;
/// Python stacks them in one run).
public struct OnnxStepBenchmark: Sendable {
    /// One batch size's result.
    public struct Line: Sendable {
        /// Members per step.
        public var batch: Int
        /// Median seconds per step, ours.
        public var ours: Double
        /// Median seconds per step, Python onnxruntime.
        public var python: Double
        /// Ours relative to Python in throughput (`python / ours`; ≥ 1 is faster).
        public var ratio: Double { python / ours }
    }

    /// The registered model.
    public var model: String
    /// Where its config is.
    public var modelsDirectory: URL
    /// ONNX Runtime settings (library, threads).
    public var onnx: OnnxSettings
    /// Batch sizes. Default 1, 2, 4, 8.
    public var batches: [Int]
    /// Timed steps per batch size (after two warm-up steps). Default 10.
    public var steps: Int
    /// The Python of `make model-deps`.
    public var python: String

    /// Creates the benchmark; defaults as documented on each property.
    public init(
        model: String, modelsDirectory: URL, onnx: OnnxSettings = OnnxSettings(), batches: [Int] = [1, 2, 4, 8], steps: Int = 10,
        python: String = ".venv-models/bin/python"
    ) {
        self.model = model
        self.modelsDirectory = modelsDirectory
        self.onnx = onnx
        self.batches = batches
        self.steps = steps
        self.python = python
    }

    /// Runs both sides; `log` gets progress.
    /// - Throws: ``ConfigurationError`` for a model that is not a runnable onnx model; the
    ///   reference's failure.
    public func run(log: (String) -> Void) async throws -> [Line] {
        let registry = try ModelRegistry.load(directory: modelsDirectory, availability: ModelRegistry.availability(onnx))
        guard let entry = registry.entry(model), entry.config.backend == "onnx", let denoiser = entry.config.variants.first?.denoiser else {
            throw ConfigurationError(key: "--model", reason: "must name a registered onnx model, got '\(model)'")
        }
        if let reason = entry.unavailableReason { throw ConfigurationError(key: "--model", reason: "\(model) cannot run here: \(reason)") }
        let videoModel = ModelBackends.make(entry, precision: entry.config.variants[0].precision, onnx: onnx)
        try await videoModel.load(on: .cpu)
        let ours: [Int: Double]
        do {
            ours = try await timeSteps(of: videoModel, log: log)
        } catch {
            await videoModel.release()
            throw error
        }
        // The session's memory is given back before the Python side loads the same graph.
        await videoModel.release()
        let reference = try await Subprocess.run(
            .path(FilePath(python)),
            arguments: [
                "tools/models/bench_reference.py", entry.path(denoiser), "--batches", batches.map(String.init).joined(separator: ","),
                "--steps", String(steps), "--threads", String(onnx.threads), "--frames", "2", "--height", "90", "--width", "160",
            ],
            output: .string(limit: 1 << 16), error: .string(limit: 1 << 16)
        )
        let json = reference.standardOutput
        guard reference.terminationStatus.isSuccess,
              let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Double]
        else {
            throw ReferenceFailure(description: "the Python reference failed: \(reference.standardError) (run make model-deps)")
        }
        return batches.map { batch in Line(batch: batch, ours: ours[batch] ?? .nan, python: parsed[String(batch)] ?? .nan) }
    }

    /// Our median time per batch step for each of ``batches`` (two warm-up steps not timed).
    private func timeSteps(of videoModel: any VideoModel, log: (String) -> Void) async throws -> [Int: Double] {
        // 720P, 8 frames: one window of 2 latent frames; more steps than are timed, so no window ends.
        let total = steps + 3
        var ours: [Int: Double] = [:]
        for batch in batches {
            let steppers = try (0..<batch).map { index in
                try videoModel.stepper(
                    for: GenerationJob(prompt: "a red fox running through snow", width: 1280, height: 720, fps: 24, frameCount: 8, steps: total, cfgScale: 7.5, seed: UInt64(index + 1)),
                    index: index, resumingFrom: nil
                )
            }
            var times: [Double] = []
            for step in 0..<(steps + 2) {
                let start = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { group in
                    // The path the worker runs a batch step on (BatchMember.feed).
                    for stepper in steppers { group.addTask { try await stepper.stepOnComputeThreads() } }
                    try await group.waitForAll()
                }
                if step >= 2 { times.append((ContinuousClock.now - start).seconds) }
            }
            ours[batch] = times.sorted()[times.count / 2]
            log("ours: batch \(batch): \(String(format: "%.4f", ours[batch] ?? 0)) s per step")
        }
        return ours
    }
}

/// The Python side of a benchmark failed (its stderr in the description).
public struct ReferenceFailure: Error, CustomStringConvertible {
    /// What failed.
    public var description: String
}
