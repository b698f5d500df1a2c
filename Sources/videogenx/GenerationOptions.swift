import ArgumentParser
import VideoGenXCore

/// The generation parameters shared by `generate` and `submit`; unset ones take the defaults
/// of the request (and the limits of the command that uses them).
struct GenerationOptions: ParsableArguments {
    @Option(help: "720P, 1080P or 4K. (default: 1080P)")
    var resolution: String?

    @Option(help: "Frames per second: 24 or 30. (default: 30)")
    var fps: Int?

    @Option(help: "Duration in seconds (generate: 1–60, the API: 15–60). (default: 30)")
    var duration: Int?

    @Option(help: "Sampler steps (generate: 1–100, the API: 20–100). (default: 50)")
    var steps: Int?

    @Option(help: "euler, euler_a, ddim or auto. (default: auto = euler)")
    var sampler: String?

    @Option(help: "natural, tech, art or cartoon. (default: natural)")
    var style: String?

    @Option(name: .customLong("cfg-scale"), help: "Classifier-free guidance scale, 1–20. (default: 7.5)")
    var cfgScale: Double?

    @Option(help: "Saturation multiplier, 0.0–2.0. (default: 1.0)")
    var saturation: Double?

    @Option(help: "Contrast multiplier, 0.0–2.0. (default: 1.0)")
    var contrast: Double?

    @Option(help: "Seed for reproducible output; chosen at random and printed when absent.")
    var seed: UInt64?

    /// The `params` object of a request.
    var parameters: GenerationRequest.Parameters {
        GenerationRequest.Parameters(
            resolution: resolution, fps: fps, duration: duration, style: style, saturation: saturation,
            contrast: contrast, cfgScale: cfgScale, steps: steps, sampler: sampler, seed: seed
        )
    }
}
