/// How ``FFmpegEncoder`` encodes: codec, rate control, preset and colour adjustment.
public struct EncoderSettings: Sendable, Hashable {
    /// Output video codec.
    public enum Codec: String, Sendable, Hashable, CaseIterable {
        /// H.265/HEVC through libx265, tagged `hvc1` (plays in Apple players). The default.
        case h265
        /// H.264/AVC through libx264, tagged `avc1`.
        case h264

        /// The ffmpeg encoder name.
        var encoderName: String { self == .h265 ? "libx265" : "libx264" }
        /// The MP4 sample entry tag.
        var tag: String { self == .h265 ? "hvc1" : "avc1" }
    }

    /// Rate control: constant quality or a target bitrate.
    public enum RateControl: Sendable, Hashable {
        /// Constant rate factor (0–51; lower is better quality).
        case crf(Int)
        /// Average bitrate in kbit/s.
        case bitrate(kbps: Int)
    }

    /// Codec. Default `h265`.
    public var codec: Codec
    /// Rate control. Default CRF 28 for H.265, 23 for H.264 (equivalent quality).
    public var rateControl: RateControl
    /// x264/x265 preset (`ultrafast` … `veryslow`). Default `veryfast`.
    public var preset: String
    /// Output pixel format. Default `yuv420p` (plays everywhere).
    public var pixelFormat: String
    /// Contrast multiplier applied by ffmpeg's `eq` filter (1.0 = unchanged). Default 1.0.
    public var contrast: Double
    /// Saturation multiplier applied by ffmpeg's `eq` filter (1.0 = unchanged). Default 1.0.
    public var saturation: Double

    /// Presets libx264 and libx265 accept.
    public static let presets = [
        "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
    ]

    /// Creates settings; defaults as documented on each property.
    public init(
        codec: Codec = .h265, rateControl: RateControl? = nil, preset: String = "veryfast",
        pixelFormat: String = "yuv420p", contrast: Double = 1, saturation: Double = 1
    ) {
        self.codec = codec
        self.rateControl = rateControl ?? .crf(codec == .h265 ? 28 : 23)
        self.preset = preset
        self.pixelFormat = pixelFormat
        self.contrast = contrast
        self.saturation = saturation
    }

    /// The output half of the ffmpeg command line (after the input), ending with `path`.
    func outputArguments(path: String) -> [String] {
        var arguments: [String] = []
        if contrast != 1 || saturation != 1 {
            arguments += ["-vf", "eq=contrast=\(contrast):saturation=\(saturation)"]
        }
        arguments += ["-an", "-c:v", codec.encoderName, "-preset", preset]
        switch rateControl {
        case .crf(let value): arguments += ["-crf", String(value)]
        case .bitrate(let kbps): arguments += ["-b:v", "\(kbps)k"]
        }
        if codec == .h265 {
            arguments += ["-x265-params", "log-level=error"]
        }
        arguments += ["-pix_fmt", pixelFormat, "-tag:v", codec.tag, "-movflags", "+faststart", "-f", "mp4", path]
        return arguments
    }
}

/// Size and rate of the raw frames an encoder is fed.
public struct VideoFormat: Sendable, Hashable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Frames per second.
    public var fps: Int

    /// Creates a format.
    public init(width: Int, height: Int, fps: Int) {
        self.width = width
        self.height = height
        self.fps = fps
    }

    /// The raw-video input half of the ffmpeg command line, reading `rgb24` from `source`.
    func inputArguments(source: String) -> [String] {
        ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-r", String(fps), "-i", source]
    }
}
