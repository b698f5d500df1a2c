/// A validated generation request with every default applied and the seed fixed: what a model
/// and the encoder actually run. Built only by ``GenerationRequest/validated(limits:seed:)``.
public struct GenerationSpec: Sendable, Hashable, Codable {
    /// The prompt.
    public var text: String
    /// The reference image (URL or data URI), if any.
    public var image: String?
    /// Output resolution.
    public var resolution: Resolution
    /// Frames per second.
    public var fps: Int
    /// Clip length in seconds.
    public var durationSeconds: Int
    /// Visual style.
    public var style: VideoStyle
    /// Saturation multiplier (1.0 = unchanged).
    public var saturation: Double
    /// Contrast multiplier (1.0 = unchanged).
    public var contrast: Double
    /// Classifier-free guidance scale.
    public var cfgScale: Double
    /// Sampler steps.
    public var steps: Int
    /// Requested sampler (may be `auto`).
    public var sampler: SamplerChoice
    /// The seed, chosen at validation time when the request had none.
    public var seed: UInt64

    /// Number of frames in the output video.
    public var frameCount: Int { fps * durationSeconds }

    /// Default values, documented once here and in the README.
    public enum Defaults {
        /// Default resolution: 1080P.
        public static let resolution = Resolution.fullHD1080
        /// Default frame rate: 30.
        public static let fps = 30
        /// Default duration: 30 s.
        public static let durationSeconds = 30
        /// Default style: natural.
        public static let style = VideoStyle.natural
        /// Default saturation and contrast: 1.0.
        public static let colourMultiplier = 1.0
        /// Default guidance scale: 7.5.
        public static let cfgScale = 7.5
        /// Default steps: 50.
        public static let steps = 50
        /// Default sampler: auto.
        public static let sampler = SamplerChoice.auto
    }
}
