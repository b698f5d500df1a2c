import Testing
import VideoGenXCore
import VideoGenXInference

/// The step-at-a-time path a continuous batch runs: its frames are the uninterrupted run's, and
/// a checkpoint taken between two steps resumes on a fresh model (another device) to the same bytes.
@Suite("Generation stepper")
struct GenerationStepperTests {
    /// Three latent windows of two frames each (24 frames), so windows and their hand-overs are exercised.
    static let configuration = ProceduralModel.Configuration(windowLatentFrames: 2)

    /// Steps `job` on a fresh model until it finishes or `stopAfter` steps ran; the frames and,
    /// when stopped, the checkpoint.
    static func step(_ job: GenerationJob, from checkpoint: VideoCheckpoint?, stopAfter: Int? = nil) async throws -> ([RGBFrame], VideoCheckpoint?) {
        let model = ProceduralModel(configuration: configuration)
        try await model.load(on: .cpu)
        let stepper = try model.stepper(for: job, index: 0, resumingFrom: checkpoint)
        var frames: [RGBFrame] = []
        var steps = 0
        while !stepper.isFinished {
            if let stopAfter, steps == stopAfter { return (frames, stepper.checkpoint()) }
            try stepper.step()
            steps += 1
            while let chunk = stepper.nextChunk() {
                #expect(chunk.firstFrame == frames.count)
                frames += chunk.frames
            }
        }
        #expect(stepper.checkpoint() == nil)
        return (frames, nil)
    }

    @Test("Stepped to the end, a job streams exactly the frames of generate", arguments: [SamplerChoice.euler, .eulerAncestral, .ddim])
    func sameFrames(sampler: SamplerChoice) async throws {
        let job = TestJobs.small(steps: 6, sampler: sampler, frames: 24)
        let expected = try await TestJobs.frames(of: job, configuration: Self.configuration)
        let (frames, _) = try await Self.step(job, from: nil)
        #expect(frames.count == 24)
        #expect(frames == expected)
    }

    @Test("Stopped between two steps and resumed from its checkpoint on a fresh model: byte-identical frames", arguments: [
        (SamplerChoice.euler, 3), (.eulerAncestral, 8), (.ddim, 6), (.euler, 0),
    ])
    func resumeIsExact(sampler: SamplerChoice, stopAfter: Int) async throws {
        let job = TestJobs.small(steps: 6, sampler: sampler, frames: 24)
        let expected = try await TestJobs.frames(of: job, configuration: Self.configuration)
        let (_, stopped) = try await Self.step(job, from: nil, stopAfter: stopAfter)
        let checkpoint = try #require(stopped)
        #expect(checkpoint.window == stopAfter / 6 && checkpoint.sampler.nextStep == stopAfter % 6)
        let restored = try VideoCheckpoint(serialized: checkpoint.serialized())
        let (frames, _) = try await Self.step(job, from: restored)
        #expect(frames == expected, "the resumed video differs")
    }

    @Test("A checkpoint of another job is refused; an unloaded model refuses to step")
    func refusals() async throws {
        let job = TestJobs.small(steps: 6, frames: 24)
        let (_, stopped) = try await Self.step(job, from: nil, stopAfter: 4)
        let checkpoint = try #require(stopped)
        let model = ProceduralModel(configuration: Self.configuration)
        #expect(throws: ModelError.self) { _ = try model.stepper(for: job, index: 0, resumingFrom: nil) }
        try await model.load(on: .cpu)
        #expect(throws: ModelError.self) { _ = try model.stepper(for: TestJobs.small(steps: 6, seed: 9, frames: 24), index: 0, resumingFrom: checkpoint) }
    }
}
