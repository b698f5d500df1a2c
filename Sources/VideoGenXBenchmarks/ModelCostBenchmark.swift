import Foundation
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXPlatform

/// Measures how the procedural model's sampling cost grows: seconds spent in sampler steps for a
/// grid of (steps, latent frames, resolution), fitted to `time = a + b · steps · frames · pixels`.
/// A real latent diffusion model's cost is linear in that product; so must the reference model's be.
public struct ModelCostBenchmark: Sendable {
    /// One measured configuration.
    public struct Sample: Sendable {
        /// Sampler steps.
        public var steps: Int
        /// Latent frames.
        public var latentFrames: Int
        /// Latent pixels per frame.
        public var latentPixels: Int
        /// Median seconds spent in sampler steps.
        public var seconds: Double
        /// `steps × latentFrames × latentPixels`.
        public var work: Double { Double(steps * latentFrames * latentPixels) }
    }

    /// The least-squares fit of seconds against work.
    public struct Fit: Sendable {
        /// Intercept in seconds.
        public var intercept: Double
        /// Seconds per unit of work (one latent pixel of one frame through one step).
        public var slope: Double
        /// Coefficient of determination.
        public var rSquared: Double
    }

    /// Resolutions to measure. Default 720P, 1080P and 4K.
    public var resolutions: [Resolution]
    /// Latent frame counts to measure. Default 4, 8, 16.
    public var latentFrames: [Int]
    /// Step counts to measure. Default 10, 20, 40.
    public var steps: [Int]
    /// Runs per configuration (the median is kept). Default 3.
    public var repetitions: Int

    /// Creates the benchmark; defaults as documented on each property.
    public init(
        resolutions: [Resolution] = [.hd720, .fullHD1080, .uhd4K], latentFrames: [Int] = [4, 8, 16],
        steps: [Int] = [10, 20, 40], repetitions: Int = 3
    ) {
        self.resolutions = resolutions
        self.latentFrames = latentFrames
        self.steps = steps
        self.repetitions = repetitions
    }

    /// Measures every configuration and fits the line.
    public func run(log: (String) -> Void) throws -> (samples: [Sample], fit: Fit) {
        let model = ProceduralModel()
        let clock = ContinuousClock()
        var samples: [Sample] = []
        for resolution in resolutions {
            for frames in latentFrames {
                for stepCount in steps {
                    let job = GenerationJob(
                        prompt: "a red fox running through snow", width: resolution.width, height: resolution.height,
                        fps: 24, frameCount: frames * LatentGeometry.temporalFactor, steps: stepCount, seed: 7
                    )
                    var times: [Double] = []
                    for _ in 0..<repetitions {
                        // Sample window by window, as `generate` does, and time only the steps:
                        // from the end of each window's first step to the end of its last, scaled
                        // up by steps / (steps − 1) for the first step.
                        var total = 0.0
                        for window in model.windows(for: job) {
                            var first: ContinuousClock.Instant?
                            var last = clock.now
                            _ = try model.sampleLatents(for: job, latentFrames: window) { _, _ in
                                let now = clock.now
                                first = first ?? now
                                last = now
                            }
                            let measured = (last - (first ?? last)).seconds
                            total += measured * Double(stepCount) / Double(max(stepCount - 1, 1))
                        }
                        times.append(total)
                    }
                    let geometry = job.latentGeometry
                    let sample = Sample(steps: stepCount, latentFrames: frames, latentPixels: geometry.width * geometry.height, seconds: times.median)
                    samples.append(sample)
                    log(String(format: "%@ latent %dx%d, %d latent frames, %d steps: %.4f s", resolution.rawValue, geometry.width, geometry.height, frames, stepCount, sample.seconds))
                }
            }
        }
        return (samples, Self.fit(samples))
    }

    /// Ordinary least squares of seconds on work.
    static func fit(_ samples: [Sample]) -> Fit {
        let n = Double(samples.count)
        let meanX = samples.map(\.work).reduce(0, +) / n
        let meanY = samples.map(\.seconds).reduce(0, +) / n
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for s in samples {
            sxy += (s.work - meanX) * (s.seconds - meanY)
            sxx += (s.work - meanX) * (s.work - meanX)
            syy += (s.seconds - meanY) * (s.seconds - meanY)
        }
        let slope = sxx == 0 ? 0 : sxy / sxx
        let intercept = meanY - slope * meanX
        let rSquared = (sxx == 0 || syy == 0) ? 1 : (sxy * sxy) / (sxx * syy)
        return Fit(intercept: intercept, slope: slope, rSquared: rSquared)
    }
}
