import Foundation

/// What ffprobe says about a media file: its container and streams.
public struct ProbeResult: Sendable, Hashable {
    /// One stream of the file.
    public struct Stream: Sendable, Hashable {
        /// `video`, `audio`, `subtitle`, …
        public var type: String
        /// Codec name, e.g. `hevc`, `h264`, `aac`.
        public var codec: String
        /// Codec tag, e.g. `hvc1`.
        public var tag: String
        /// Width in pixels (video).
        public var width: Int?
        /// Height in pixels (video).
        public var height: Int?
        /// Average frame rate (video).
        public var fps: Double?
        /// Frames counted by decoding (video).
        public var frameCount: Int?
        /// Stream duration in seconds.
        public var duration: Double?
        /// Pixel format (video), e.g. `yuv420p`.
        public var pixelFormat: String?
    }

    /// Container format names, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    public var formatName: String
    /// Container duration in seconds.
    public var duration: Double
    /// File size in bytes.
    public var sizeBytes: Int
    /// All streams in file order.
    public var streams: [Stream]

    /// The first video stream, if any.
    public var video: Stream? { streams.first { $0.type == "video" } }

    /// Parses ffprobe's `-print_format json -show_format -show_streams` output.
    public init(json: Data) throws {
        let raw = try JSONDecoder().decode(RawProbe.self, from: json)
        formatName = raw.format?.formatName ?? ""
        duration = Double(raw.format?.duration ?? "") ?? 0
        sizeBytes = Int(raw.format?.size ?? "") ?? 0
        streams = (raw.streams ?? []).map { s in
            Stream(
                type: s.codecType ?? "", codec: s.codecName ?? "", tag: s.codecTagString ?? "",
                width: s.width, height: s.height, fps: Self.rate(s.avgFrameRate) ?? Self.rate(s.rFrameRate),
                frameCount: Int(s.nbReadFrames ?? "") ?? Int(s.nbFrames ?? ""),
                duration: Double(s.duration ?? ""), pixelFormat: s.pixFmt
            )
        }
    }

    /// Parses `num/den` rates; `nil` for `0/0` or garbage.
    static func rate(_ text: String?) -> Double? {
        guard let parts = text?.split(separator: "/"), parts.count == 2,
              let num = Double(parts[0]), let den = Double(parts[1]), den != 0
        else { return nil }
        return num / den
    }
}

/// ffprobe's JSON, as printed.
private struct RawProbe: Decodable {
    struct Format: Decodable {
        var formatName: String?
        var duration: String?
        var size: String?
        enum CodingKeys: String, CodingKey {
            case formatName = "format_name", duration, size
        }
    }

    struct Stream: Decodable {
        var codecType: String?
        var codecName: String?
        var codecTagString: String?
        var width: Int?
        var height: Int?
        var avgFrameRate: String?
        var rFrameRate: String?
        var nbReadFrames: String?
        var nbFrames: String?
        var duration: String?
        var pixFmt: String?
        enum CodingKeys: String, CodingKey {
            case codecType = "codec_type", codecName = "codec_name", codecTagString = "codec_tag_string"
            case width, height, avgFrameRate = "avg_frame_rate", rFrameRate = "r_frame_rate"
            case nbReadFrames = "nb_read_frames", nbFrames = "nb_frames", duration, pixFmt = "pix_fmt"
        }
    }

    var format: Format?
    var streams: [Stream]?
}
