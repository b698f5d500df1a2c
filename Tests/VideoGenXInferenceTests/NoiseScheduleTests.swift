import Testing
import VideoGenXInference

@Suite("Noise schedule")
struct NoiseScheduleTests {
    let schedule = NoiseSchedule()

    @Test("Training sigmas rise from about 0.03 to about 14.6 (Stable Diffusion's scaled-linear schedule)")
    func trainingRange() {
        #expect(abs(schedule.trainingSigmas[0] - 0.0292) < 0.001)
        #expect(abs(schedule.maximumSigma - 14.615) < 0.01)
        #expect(zip(schedule.trainingSigmas, schedule.trainingSigmas.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("A sampler's sigmas fall strictly and end at zero", arguments: [1, 5, 20, 50, 100])
    func samplerSigmas(steps: Int) {
        for spacing in [TimestepSpacing.trailing, .leading] {
            let sigmas = schedule.sigmas(steps: steps, spacing: spacing)
            #expect(sigmas.count == steps + 1)
            #expect(sigmas.last == 0)
            #expect(zip(sigmas, sigmas.dropFirst()).allSatisfy { $0 > $1 })
        }
        #expect(schedule.sigmas(steps: steps, spacing: .trailing)[0] == schedule.maximumSigma)
    }

    @Test("Leading and trailing grids differ, so DDIM and Euler visit different noise levels")
    func gridsDiffer() {
        #expect(schedule.timesteps(steps: 5, spacing: .trailing) == [999, 799, 599, 399, 199])
        #expect(schedule.timesteps(steps: 5, spacing: .leading) == [801, 601, 401, 201, 1])
    }
}
