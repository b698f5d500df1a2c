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
        let first = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: nil, pauseAfterStep: pauseAt) { step, _ in steps.append(step) }
        guard case .paused(let checkpoint) = first else {
            Issue.record("did not pause")
            return
        }
        #expect(checkpoint.nextStep == pauseAt && steps.last == pauseAt)
        let bytes = checkpoint.serialized()
        let restored = try SamplerCheckpoint(serialized: bytes)
        #expect(restored == checkpoint)
        let resumed = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: restored, pauseAfterStep: nil) { step, _ in steps.append(step) }
        #expect(resumed == .finished(uninterrupted))
        #expect(steps == Array(1...12), "each step runs once across the two halves")
    }

    @Test("A checkpoint of another job or window is refused; damaged bytes are refused")
    func refusesMismatches() throws {
        let job = TestJobs.small(steps: 8, frames: 24)
        let frames = 0..<job.latentGeometry.frameCount
        guard case .paused(let checkpoint) = try ProceduralModel().sampleLatents(for: job, latentFrames: frames, resumingFrom: nil, pauseAfterStep: 3) else {
            Issue.record("did not pause")
            return
        }
        let other = TestJobs.small(steps: 8, seed: 8, frames: 24)
        #expect(throws: ModelError.self) {
            _ = try ProceduralModel().sampleLatents(for: other, latentFrames: frames, resumingFrom: checkpoint, pauseAfterStep: nil)
        }
        #expect(throws: ModelError.self) {
            _ = try ProceduralModel().sampleLatents(for: job, latentFrames: 1..<frames.upperBound, resumingFrom: checkpoint, pauseAfterStep: nil)
        }
        var bytes = checkpoint.serialized()
        #expect(throws: ModelError.self) { _ = try SamplerCheckpoint(serialized: Array(bytes.dropLast())) }
        bytes[0] = 0
        #expect(throws: ModelError.self) { _ = try SamplerCheckpoint(serialized: bytes) }
    }
}
