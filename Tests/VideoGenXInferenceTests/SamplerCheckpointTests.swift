import Testing
import VideoGenXCore
import VideoGenXInference

/// Step-level pause and exact resume: a run paused at step k, serialised, read back and resumed
/// (on a fresh model instance, as another device would) ends with the same bits as an
/// uninterrupted run, for every sampler — including Euler ancestral, which draws noise per step.
@Suite("Sampler checkpoints")
struct SamplerCheckpointTests {
    @Test("Pause at step k, serialise, resume elsewhere: bit-identical latents", arguments: [
        (SamplerChoice.euler, 1), (.euler, 6), (.eulerAncestral, 3), (.eulerAncestral, 11), (.ddim, 7),
    ])
    func exactResume(sampler: SamplerChoice, pauseAt: Int) throws {
        let job = TestJobs.small(steps: 12, sampler: sampler, frames: 24)
        let frames = 0..<job.latentGeometry.frameCount
        let uninterrupted = try ProceduralModel().sampleLatents(for: job, latentFrames: frames)

        var steps: [Int] = []
        let first = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: nil, pauseWhen: { $0 == pauseAt }) { step, _ in steps.append(step) }
        guard case .paused(let checkpoint) = first else {
            Issue.record("did not pause")
            return
        }
        #expect(checkpoint.nextStep == pauseAt && steps.last == pauseAt)
        let bytes = checkpoint.serialized()
        let restored = try SamplerCheckpoint(serialized: bytes)
        #expect(restored == checkpoint)
        let resumed = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: restored, pauseWhen: { _ in false }) { step, _ in steps.append(step) }
        #expect(resumed == .finished(uninterrupted))
        #expect(steps == Array(1...12), "each step runs once across the two halves")
    }

    @Test("A checkpoint of another job or window is refused; damaged bytes are refused")
    func refusesMismatches() throws {
        let job = TestJobs.small(steps: 8, frames: 24)
        let frames = 0..<job.latentGeometry.frameCount
        guard case .paused(let checkpoint) = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: nil, pauseWhen: { $0 == 3 }) else {
            Issue.record("did not pause")
            return
        }
        let other = TestJobs.small(steps: 8, seed: 8, frames: 24)
        #expect(throws: ModelError.self) {
            _ = try ProceduralModel().sampleLatents(for: other, latentFrames: frames, resumingFrom: checkpoint, pauseWhen: { _ in false })
        }
        #expect(throws: ModelError.self) {
            _ = try ProceduralModel().sampleLatents(for: job, latentFrames: 1..<frames.upperBound, resumingFrom: checkpoint, pauseWhen: { _ in false })
        }
        var bytes = checkpoint.serialized()
        #expect(throws: ModelError.self) { _ = try SamplerCheckpoint(serialized: Array(bytes.dropLast())) }
        bytes[0] = 0
        #expect(throws: ModelError.self) { _ = try SamplerCheckpoint(serialized: bytes) }
    }
}

/// Preemption of a whole video: paused inside a later window, resumed on a fresh model
/// instance (as another device would), the video's frames are byte-identical.
@Suite("Video pause and resume")
struct VideoResumeTests {
    static let configuration = ProceduralModel.Configuration(windowLatentFrames: 2)

    /// Runs `job`, raising the pause signal when `pauseAt` (window, step) is reported.
    static func run(
        _ job: GenerationJob, resumingFrom checkpoint: VideoCheckpoint?, pauseAt: (window: Int, step: Int)?
    ) async throws -> (GenerationOutcome, [RGBFrame]) {
        let model = ProceduralModel(configuration: configuration)
        try await model.load(on: ComputeDevice(kind: .simulated, name: "sim1"))
        let signal = PauseSignal()
        var frames: [RGBFrame] = []
        let outcome = try await model.generate(job, resumingFrom: checkpoint, pause: signal, progress: { report in
            if let pauseAt, report.window == pauseAt.window, report.step == pauseAt.step { signal.request() }
        }, frames: { frames.append(contentsOf: $0.frames) })
        return (outcome, frames)
    }

    @Test("Paused at step k of window w and resumed elsewhere: byte-identical frames", arguments: [
        (SamplerChoice.euler, 0, 2), (.eulerAncestral, 1, 5), (.ddim, 2, 9),
    ])
    func byteIdenticalFrames(sampler: SamplerChoice, window: Int, step: Int) async throws {
        let job = TestJobs.small(steps: 10, sampler: sampler, frames: 24)
        let (whole, expected) = try await Self.run(job, resumingFrom: nil, pauseAt: nil)
        #expect(whole == .finished && expected.count == 24)
        let (paused, partial) = try await Self.run(job, resumingFrom: nil, pauseAt: (window, step))
        guard case .paused(let checkpoint) = paused else {
            Issue.record("did not pause")
            return
        }
        #expect(checkpoint.window == window && checkpoint.sampler.nextStep == step)
        #expect(partial.count < 24)
        let restored = try VideoCheckpoint(serialized: checkpoint.serialized())
        #expect(restored == checkpoint)
        let (resumed, frames) = try await Self.run(job, resumingFrom: restored, pauseAt: nil)
        #expect(resumed == .finished)
        #expect(frames == expected, "the resumed video differs")
    }
}
