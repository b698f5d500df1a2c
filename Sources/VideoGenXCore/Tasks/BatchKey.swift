/// What tasks must share to run in one batch: the same model, output size bucket, frame count,
/// sampler steps, sampler and numeric precision. Tasks with equal keys can be stacked along the
/// batch dimension of one `generate` call. Its ``description`` is the `batch_key` the task
/// store keeps with each task and the batcher claims by.
public struct BatchKey: Sendable, Hashable, CustomStringConvertible {
    /// The model's registry name.
    public var model: String
    /// The resolution bucket (the platform's presets are their own buckets).
    public var resolution: Resolution
    /// Frames per video.
    public var frames: Int
    /// Sampler steps.
    public var steps: Int
    /// Sampler as requested (`auto` resolves the same way for one model).
    public var sampler: SamplerChoice
    /// Numeric precision the model runs at, e.g. `fp32`, `fp16`.
    public var precision: String

    /// The key of `spec` on `model` at `precision`.
    public init(spec: GenerationSpec, model: String, precision: String = "fp32") {
        self.model = model
        resolution = spec.resolution
        frames = spec.frameCount
        steps = spec.steps
        sampler = spec.sampler
        self.precision = precision
    }

    /// `model/resolution/frames/steps/sampler/precision`, for logs and metrics.
    public var description: String {
        "\(model)/\(resolution.rawValue)/\(frames)f/\(steps)s/\(sampler.rawValue)/\(precision)"
    }
}
