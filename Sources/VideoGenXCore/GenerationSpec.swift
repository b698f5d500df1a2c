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
    /// Brightness offset (0 = unchanged).
    public var brightness: Double = 0
    /// Denoiser strength.
    public var denoise: Denoise = .off
    /// Subtitle track, if any.
    public var subtitle: Subtitle?
    /// Watermark, if any.
    public var watermark: Watermark?
    /// Background music, if any (no audio stream without it).
    public var music: BackgroundMusic?
    /// Codec, rate control, preset and audio codec.
    public var output = OutputSettings()
    /// The registered model that renders it.
    public var model: String = ModelCapabilities.proceduralName

    /// Clip length in seconds as the encoder sees it (frames ÷ fps).
    public var exactDuration: Double { Double(frameCount) / Double(fps) }

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

extension GenerationSpec {
    /// Decodes a spec; the finishing fields (added after the first release) default when a stored
    /// task predates them.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        image = try c.decodeIfPresent(String.self, forKey: .image)
        resolution = try c.decode(Resolution.self, forKey: .resolution)
        fps = try c.decode(Int.self, forKey: .fps)
        durationSeconds = try c.decode(Int.self, forKey: .durationSeconds)
        style = try c.decode(VideoStyle.self, forKey: .style)
        saturation = try c.decode(Double.self, forKey: .saturation)
        contrast = try c.decode(Double.self, forKey: .contrast)
        cfgScale = try c.decode(Double.self, forKey: .cfgScale)
        steps = try c.decode(Int.self, forKey: .steps)
        sampler = try c.decode(SamplerChoice.self, forKey: .sampler)
        seed = try c.decode(UInt64.self, forKey: .seed)
        brightness = try c.decodeIfPresent(Double.self, forKey: .brightness) ?? 0
        denoise = try c.decodeIfPresent(Denoise.self, forKey: .denoise) ?? .off
        subtitle = try c.decodeIfPresent(Subtitle.self, forKey: .subtitle)
        watermark = try c.decodeIfPresent(Watermark.self, forKey: .watermark)
        music = try c.decodeIfPresent(BackgroundMusic.self, forKey: .music)
        output = try c.decodeIfPresent(OutputSettings.self, forKey: .output) ?? OutputSettings()
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? ModelCapabilities.proceduralName
    }
}
