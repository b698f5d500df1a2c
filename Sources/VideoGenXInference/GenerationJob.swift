import VideoGenXCore

/// What a model is asked to make: one item of a batch, in model terms (pixel size, frame count,
/// sampler settings). Built from a validated ``GenerationSpec``; tests may build small ones
/// directly.
public struct GenerationJob: Sendable, Hashable {
    /// The prompt.
    public var prompt: String
    /// Visual style.
    public var style: VideoStyle
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int
    /// Frames per second (scene motion is in seconds, so fps changes sampling of time only).
    public var fps: Int
    /// Number of output frames.
    public var frameCount: Int
    /// Sampler steps.
    public var steps: Int
    /// Requested sampler (`auto` resolves per model).
    public var sampler: SamplerChoice
    /// Classifier-free guidance scale.
    public var cfgScale: Float
    /// Seed.
    public var seed: UInt64
    /// The reference image's colours on a coarse row-major grid (each channel 0–1), when the
    /// request had an image: models condition on it (image-to-video).
    public var reference: ReferenceGrid?

    /// Creates a job from explicit values.
    public init(
        prompt: String, style: VideoStyle = .natural, width: Int, height: Int, fps: Int, frameCount: Int,
        steps: Int, sampler: SamplerChoice = .auto, cfgScale: Float = 7.5, seed: UInt64
    ) {
        self.prompt = prompt
        self.style = style
        self.width = width
        self.height = height
        self.fps = fps
        self.frameCount = frameCount
        self.steps = steps
        self.sampler = sampler
        self.cfgScale = cfgScale
        self.seed = seed
    }

    /// The job for a validated request.
    public init(spec: GenerationSpec) {
        self.init(
            prompt: spec.text, style: spec.style, width: spec.resolution.width, height: spec.resolution.height,
            fps: spec.fps, frameCount: spec.frameCount, steps: spec.steps, sampler: spec.sampler,
            cfgScale: Float(spec.cfgScale), seed: spec.seed
        )
    }

    /// The latent geometry of this job's video.
    public var latentGeometry: LatentGeometry {
        LatentGeometry(videoWidth: width, videoHeight: height, videoFrames: frameCount)
    }
}
