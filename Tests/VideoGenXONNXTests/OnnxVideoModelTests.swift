import Foundation
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXONNX
import VideoGenXTestSupport

/// The tiny ONNX model in the platform's sampling loop: deterministic, the same frames whether
/// run whole, stepped beside other jobs, or paused at a step and resumed from the checkpoint;
/// faults reported with the file.
@Suite("ONNX video model", .enabled(if: OnnxTestEnvironment.enabled), .timeLimit(.minutes(3)))
struct OnnxVideoModelTests {
    static func model(precision: String = "fp32", denoiser: String? = nil) async throws -> OnnxVideoModel {
        let folder = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx")
        let runtime = try OnnxRuntime(library: try OrtLibrary(path: try #require(OnnxTestEnvironment.library)))
        let files = folder.appendingPathComponent(precision)
        return OnnxVideoModel(
            name: "tiny-onnx", precision: precision,
            components: .init(
                textEncoder: files.appendingPathComponent("text_encoder.onnx").path,
                denoiser: denoiser ?? files.appendingPathComponent("denoiser.onnx").path,
                vaeDecoder: files.appendingPathComponent("vae_decoder.onnx").path
            ),
            vocabulary: folder.appendingPathComponent("bpe_simple_vocab_16e6.txt.gz").path, maxLength: 77,
            schedule: NoiseSchedule(), prediction: .epsilon, runtime: runtime
        )
    }

    /// A small job: 128×96, 12 frames (3 latent frames: two windows), 4 steps.
    static func job(seed: UInt64, prompt: String = "a red fox running through snow") -> GenerationJob {
        GenerationJob(prompt: prompt, width: 128, height: 96, fps: 12, frameCount: 12, steps: 4, cfgScale: 5, seed: seed)
    }

    /// Every frame of `job` run whole.
    static func frames(_ model: OnnxVideoModel, _ job: GenerationJob) async throws -> [RGBFrame] {
        var frames: [RGBFrame] = []
        _ = try await model.generate(job, index: 0, resumingFrom: nil, pause: PauseSignal(), progress: { _ in }) { chunk in
            frames += chunk.frames
        }
        return frames
    }

    /// Steps `stepper` to its end (or `steps` steps), collecting its frames.
    static func drain(_ stepper: any GenerationStepper, steps: Int = .max, into frames: inout [RGBFrame]) throws {
        var taken = 0
        while !stepper.isFinished, taken < steps {
            try stepper.step()
            taken += 1
            while let chunk = stepper.nextChunk() { frames += chunk.frames }
        }
    }

    @Test("A job gives every frame, the same twice; another prompt or seed gives other frames")
    func deterministic() async throws {
        let model = try await Self.model()
        try await model.load(on: .cpu)
        let first = try await Self.frames(model, Self.job(seed: 1))
        #expect(first.count == 12 && first.allSatisfy { $0.width == 128 && $0.height == 96 })
        #expect(try await Self.frames(model, Self.job(seed: 1)) == first)
        #expect(try await Self.frames(model, Self.job(seed: 2)) != first)
        #expect(try await Self.frames(model, Self.job(seed: 1, prompt: "a blue whale")) != first)
        let distinct = Set(first[0].bytes).count
        #expect(distinct > 16, "frames carry the decoder's output, not a constant (\(distinct) byte values)")
    }

    @Test("Members stepped together (batches of 1, 2, 4, 8) get the frames each gets alone; a job paused at a step and resumed from its checkpoint gives the uninterrupted frames")
    func batchesAndCheckpoints() async throws {
        let model = try await Self.model()
        try await model.load(on: .cpu)
        let jobs = (0..<8).map { Self.job(seed: UInt64(10 + $0)) }
        var alone: [[RGBFrame]] = []
        for job in jobs { alone.append(try await Self.frames(model, job)) }
        for size in [1, 2, 4, 8] {
            let steppers = try jobs.prefix(size).enumerated().map { try model.stepper(for: $1, index: $0, resumingFrom: nil) }
            var frames = [[RGBFrame]](repeating: [], count: size)
            while steppers.contains(where: { !$0.isFinished }) {
                for (index, stepper) in steppers.enumerated() where !stepper.isFinished {
                    try Self.drain(stepper, steps: 1, into: &frames[index])
                }
            }
            #expect(frames == Array(alone.prefix(size)), "batch of \(size)")
        }
        // Two windows of 4 steps: paused in the first, at its end, and in the second. A resumed
        // job streams its video from the first frame (earlier windows sampled again, the
        // checkpointed one from its step), as the worker's new encode needs.
        for pauseAt in [1, 3, 4, 6] {
            var discarded: [RGBFrame] = []
            let first = try model.stepper(for: jobs[0], index: 0, resumingFrom: nil)
            try Self.drain(first, steps: pauseAt, into: &discarded)
            let checkpoint = try #require(first.checkpoint())
            #expect(checkpoint.window == pauseAt / 4 && checkpoint.sampler.nextStep == pauseAt % 4)
            let restored = try VideoCheckpoint(serialized: checkpoint.serialized())
            var frames: [RGBFrame] = []
            try Self.drain(try model.stepper(for: jobs[0], index: 0, resumingFrom: restored), into: &frames)
            #expect(frames == alone[0], "paused after step \(pauseAt)")
        }
    }

    @Test("A corrupt graph fails the load naming the file; generating before loading says so")
    func faults() async throws {
        let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-corrupt-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: corrupt) }
        try Data("not a graph".utf8).write(to: corrupt)
        let broken = try await Self.model(denoiser: corrupt.path)
        do {
            try await broken.load(on: .cpu)
            Issue.record("a corrupt denoiser loaded")
        } catch let error as ModelError {
            #expect(error.code == "model_load_failed" && error.message.contains(corrupt.path), "\(error)")
        }
        let model = try await Self.model()
        do {
            _ = try await Self.frames(model, Self.job(seed: 1))
            Issue.record("generated without loading")
        } catch let error as ModelError {
            #expect(error.code == "model_not_loaded")
        }
    }

    @Test("A whole sampling run (Euler, guidance 5, 6 steps, one window) gives Python's independent run of the same loop on onnxruntime: final latent within 1e-4, frames within one level")
    func wholeRunParity() async throws {
        let model = try await Self.model()
        try await model.load(on: .cpu)
        let job = GenerationJob(prompt: "a lighthouse at dusk", width: 128, height: 96, fps: 8, frameCount: 8, steps: 6, sampler: .euler, cfgScale: 5, seed: 21)
        let loop = model.samplingLoop(for: job)
        let context = try model.prepare(job)
        let frames = 0..<job.latentGeometry.frameCount
        var (x, _) = try WindowStart.latent(of: job, latentFrames: frames, loop: loop, from: nil)
        let start = x
        try loop.run(&x, denoiser: try model.denoiser(for: job, latentFrames: frames, context: context), stepNoise: { _, _ in }, afterStep: { _ in })
        var decoder = try model.decoder(for: job, context: context)
        try decoder.receive(x)
        let ours = decoder.decodeAvailable(limit: 100)

        let io = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: io, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: io) }
        let tokenizer = try CLIPTokenizer(vocabulary: OnnxTestEnvironment.vocabulary)
        let ids = (tokenizer.encode(job.prompt) + tokenizer.encode("")).map(Int64.init)
        try ids.withUnsafeBytes { try Data($0).write(to: io.appendingPathComponent("ids.i64")) }
        try Self.channelMajor(start).withUnsafeBytes { try Data($0).write(to: io.appendingPathComponent("x.f32")) }
        try loop.sigmas.withUnsafeBytes { try Data($0).write(to: io.appendingPathComponent("sigmas.f32")) }
        let shape = [1, 4, start.frameCount, start.height, start.width]
        try JSONSerialization.data(withJSONObject: ["cfg": 5.0, "shape": shape]).write(to: io.appendingPathComponent("meta.json"))
        let folder = try await OnnxTestEnvironment.tinyModel().appendingPathComponent("tiny-onnx/fp32")
        try await OnnxTestEnvironment.runTool("reference.py", ["run", folder.path, io.path])

        let theirs = try Data(contentsOf: io.appendingPathComponent("latent.f32")).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let mine = Self.channelMajor(x)
        #expect(theirs.count == mine.count)
        let latentDifference = zip(mine, theirs).map { abs($0 - $1) }.max() ?? .infinity
        #expect(latentDifference <= 1e-4, "final latent: max abs difference \(latentDifference)")
        let video = try Data(contentsOf: io.appendingPathComponent("video.f32")).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let plane = 96 * 128
        #expect(ours.count == 8 && video.count == 3 * 8 * plane)
        var worst = 0
        for (index, frame) in ours.enumerated() {
            for channel in 0..<3 {
                for pixel in 0..<plane {
                    let value = video[(channel * 8 + index) * plane + pixel]
                    let level = Int(max(0, min(255, ((value + 1) * 127.5).rounded())))
                    worst = max(worst, abs(level - Int(frame.bytes[pixel * 3 + channel])))
                }
            }
        }
        #expect(worst <= 1, "frames differ by up to \(worst) levels")
    }

    /// `block`'s values as `[channel][frame][y][x]`, the contract's layout.
    static func channelMajor(_ block: LatentBlock) -> [Float] {
        var out: [Float] = []
        for channel in 0..<LatentBlock.channels {
            for frame in 0..<block.frameCount {
                let start = frame * block.valuesPerFrame + channel * block.planeSize
                out += block.values[start..<(start + block.planeSize)]
            }
        }
        return out
    }
}
