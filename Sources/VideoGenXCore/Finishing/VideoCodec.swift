/// The output video codec of a finished video.
public enum VideoCodec: String, Sendable, Hashable, Codable, CaseIterable {
    /// H.265/HEVC through libx265, tagged `hvc1` (plays in Safari and Apple players). The default.
    case h265
    /// H.264/AVC through libx264, tagged `avc1`: for browsers without HEVC.
    case h264

    /// The default CRF of the codec: 28 for H.265, 23 for H.264 (about the same quality).
    public var defaultCRF: Int { self == .h265 ? 28 : 23 }
}

/// Rate control of the video encoder: constant quality or a target bitrate.
public enum RateControl: Sendable, Hashable, Codable {
    /// Constant rate factor 0–51; lower is better quality.
    case crf(Int)
    /// Average bitrate in kbit/s.
    case bitrate(kbps: Int)
}

/// The output audio codec (used when background music is on).
public enum AudioCodec: String, Sendable, Hashable, Codable, CaseIterable {
    /// AAC-LC, 128 kbit/s stereo. The default and, for MP4 in browsers, the only sensible choice.
    case aac
}

/// Encoder presets libx264 and libx265 both accept, fastest first.
public enum EncoderPreset {
    /// The preset names.
    public static let names = [
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
    ]
    /// The default preset: `veryfast`.
    public static let `default` = "veryfast"
}

/// How the finished video is encoded: codec, rate control, preset and audio codec.
public struct OutputSettings: Sendable, Hashable, Codable {
    /// Video codec. Default `h265`.
    public var codec: VideoCodec
    /// Rate control. Default the codec's ``VideoCodec/defaultCRF``.
    public var rateControl: RateControl
    /// Encoder preset. Default `veryfast`.
    public var preset: String
    /// Audio codec when there is audio. Default `aac`.
    public var audioCodec: AudioCodec

    /// Creates settings; defaults as documented on each property.
    public init(codec: VideoCodec = .h265, rateControl: RateControl? = nil, preset: String = EncoderPreset.default, audioCodec: AudioCodec = .aac) {
        self.codec = codec
        self.rateControl = rateControl ?? .crf(codec.defaultCRF)
        self.preset = preset
        self.audioCodec = audioCodec
    }
}
