/// A generation request as a client sends it (`POST /api/v1/video/generate`, `videogenx generate`).
///
/// Every field is optional on the wire so that validation can report *all* problems at once
/// instead of failing on the first missing key; ``validated(limits:seed:)`` turns it into a
/// ``GenerationSpec`` with defaults applied.
public struct GenerationRequest: Codable, Sendable, Hashable {
    /// The prompt, 1–2000 characters.
    public var text: String?
    /// Optional reference image: an `http(s)` URL or a `data:image/...;base64,` URI.
    public var image: String?
    /// Rendering parameters; every one has a default.
    public var params: Parameters

    /// Creates a request; `params` defaults to all defaults.
    public init(text: String?, image: String? = nil, params: Parameters = Parameters()) {
        self.text = text
        self.image = image
        self.params = params
    }

    private enum CodingKeys: String, CodingKey {
        case text, image, params
    }

    /// Decodes a request; a missing `params` object means all defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        text = try container.decodeIfPresent(String.self, forKey: .text)
        image = try container.decodeIfPresent(String.self, forKey: .image)
        params = try container.decodeIfPresent(Parameters.self, forKey: .params) ?? Parameters()
    }

    /// The `params` object of a request, with the API's snake_case keys.
    public struct Parameters: Codable, Sendable, Hashable {
        /// `720P`, `1080P` (default) or `4K`.
        public var resolution: String?
        /// Frames per second: 24 or 30 (default 30).
        public var fps: Int?
        /// Clip length in seconds (default 30).
        public var duration: Int?
        /// `natural` (default), `tech`, `art` or `cartoon`.
        public var style: String?
        /// Colour saturation multiplier, 0.0–2.0 (default 1.0).
        public var saturation: Double?
        /// Contrast multiplier, 0.0–2.0 (default 1.0).
        public var contrast: Double?
        /// Classifier-free guidance scale, 1–20 (default 7.5).
        public var cfgScale: Double?
        /// Sampler steps, 20–100 on the platform (default 50).
        public var steps: Int?
        /// `euler`, `euler_a`, `ddim` or `auto` (default).
        public var sampler: String?
        /// Seed for reproducible output; chosen at random and recorded when absent.
        public var seed: UInt64?
        /// Brightness offset, −1.0–1.0 (default 0).
        public var brightness: Double?
        /// `off` (default), `light` or `strong`.
        public var denoise: String?
        /// Subtitle track.
        public var subtitle: SubtitleRequest?
        /// Watermark (tiers with custom watermarks only).
        public var watermark: WatermarkRequest?
        /// Background music.
        public var backgroundMusic: MusicRequest?
        /// `h265` (default) or `h264`.
        public var codec: String?
        /// Constant rate factor 0–51 (exclusive with `bitrate`).
        public var crf: Int?
        /// Target bitrate such as `4M` or `800k` (exclusive with `crf`).
        public var bitrate: String?
        /// Encoder preset, `ultrafast`…`placebo` (default `veryfast`).
        public var preset: String?
        /// `aac` (the default and only choice).
        public var audioCodec: String?
        /// The registered model to render with (default: the server's default model).
        public var model: String?

        /// Creates parameters; `nil` means "use the default".
        public init(
            resolution: String? = nil, fps: Int? = nil, duration: Int? = nil, style: String? = nil,
            saturation: Double? = nil, contrast: Double? = nil, cfgScale: Double? = nil,
            steps: Int? = nil, sampler: String? = nil, seed: UInt64? = nil, brightness: Double? = nil,
            denoise: String? = nil, subtitle: SubtitleRequest? = nil, watermark: WatermarkRequest? = nil,
            backgroundMusic: MusicRequest? = nil, codec: String? = nil, crf: Int? = nil, bitrate: String? = nil,
            preset: String? = nil, audioCodec: String? = nil, model: String? = nil
        ) {
            self.model = model
            self.resolution = resolution
            self.fps = fps
            self.duration = duration
            self.style = style
            self.saturation = saturation
            self.contrast = contrast
            self.cfgScale = cfgScale
            self.steps = steps
            self.sampler = sampler
            self.seed = seed
            self.brightness = brightness
            self.denoise = denoise
            self.subtitle = subtitle
            self.watermark = watermark
            self.backgroundMusic = backgroundMusic
            self.codec = codec
            self.crf = crf
            self.bitrate = bitrate
            self.preset = preset
            self.audioCodec = audioCodec
        }

        private enum CodingKeys: String, CodingKey {
            case resolution, fps, duration, style, saturation, contrast
            case cfgScale = "cfg_scale"
            case steps, sampler, seed, brightness, denoise, subtitle, watermark
            case backgroundMusic = "background_music"
            case codec, crf, bitrate, preset
            case audioCodec = "audio_codec"
            case model
        }
    }
}
