import VideoGenXCore
import VideoGenXInference

/// Small jobs that keep property tests fast: 128×72 pixels (16×9 latents), 24 frames at 24 fps.
enum TestJobs {
    static func small(
        prompt: String = "a red fox running through snow", style: VideoStyle = .natural, steps: Int = 12,
        sampler: SamplerChoice = .euler, cfgScale: Float = 7.5, seed: UInt64 = 7, frames: Int = 24
    ) -> GenerationJob {
        GenerationJob(
            prompt: prompt, style: style, width: 128, height: 72, fps: 24, frameCount: frames,
            steps: steps, sampler: sampler, cfgScale: cfgScale, seed: seed
        )
    }

    /// Runs `job` on a freshly loaded procedural model and collects every frame in order.
    static func frames(
        of job: GenerationJob, configuration: ProceduralModel.Configuration = .init()
    ) async throws -> [RGBFrame] {
        let model = ProceduralModel(configuration: configuration)
        try await model.load(on: .cpu)
        var frames: [RGBFrame] = []
        try await model.generate([job], progress: { _ in }, frames: { chunk in
            frames.append(contentsOf: chunk.frames)
        })
        return frames
    }

    /// Mean absolute pixel difference between two equally long videos, 0–255.
    static func meanAbsoluteDifference(_ a: [RGBFrame], _ b: [RGBFrame]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).map { $0.meanAbsoluteDifference(to: $1) }.reduce(0, +) / Double(max(a.count, 1))
    }
}
