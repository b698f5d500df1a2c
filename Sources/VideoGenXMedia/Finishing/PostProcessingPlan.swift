import Foundation
import VideoGenXCore

/// Everything ffmpeg must do to a stream of raw frames to make the finished video, as a value:
/// the extra inputs, one filter graph, the stream maps, the encoder options and the files the
/// graph reads. Built from a validated spec without I/O (the executor resolves fonts and fetches
/// assets first and passes what it found in ``Assets``), so it is unit-tested as text.
///
/// ffmpeg runs in a work directory holding ``files`` and the fetched assets; the graph names
/// them relatively, so no path and no user text is ever spliced into the graph.
public struct PostProcessingPlan: Sendable, Hashable {
    /// What the executor resolved before planning.
    public struct Assets: Sendable, Hashable {
        /// The font family fontconfig chose for text, when there is text.
        public var fontFamily: String?
        /// File name (in the work directory) of the fetched watermark image, when it is an image.
        public var watermarkImage: String?
        /// File name (in the work directory) of the fetched music, when it comes from a URL.
        public var musicFile: String?

        /// Creates the assets.
        public init(fontFamily: String? = nil, watermarkImage: String? = nil, musicFile: String? = nil) {
            self.fontFamily = fontFamily
            self.watermarkImage = watermarkImage
            self.musicFile = musicFile
        }
    }

    /// The name of the ASS script in the work directory.
    public static let scriptName = "overlay.ass"

    /// Input arguments after the raw frames (which are input 0), in input order.
    public private(set) var inputs: [String] = []
    /// The `-filter_complex` graph; it labels its outputs `[vout]` and, with music, `[aout]`.
    public private(set) var filterGraph: String
    /// Whether the output has an audio stream.
    public private(set) var hasAudio = false
    /// Files to write into the work directory before ffmpeg starts: name → contents.
    public private(set) var files: [String: String] = [:]
    /// Output codec, rate control and preset.
    public let output: OutputSettings
    /// The font family the text is drawn with, when there is text.
    public let fontFamily: String?

    /// Plans the post-processing of `spec`'s frames (of `format`) with the resolved `assets`.
    public init(spec: GenerationSpec, format: VideoFormat, assets: Assets) {
        output = spec.output
        let hasText = Self.drawsText(spec)
        fontFamily = hasText ? assets.fontFamily : nil
        let duration = spec.exactDuration
        var video: [String] = []
        switch spec.denoise {
        case .off: break
        case .light: video.append("hqdn3d=2:1.5:3:2.25")
        case .strong: video.append("hqdn3d=8:6:12:9")
        }
        if spec.brightness != 0 || spec.contrast != 1 || spec.saturation != 1 {
            video.append("eq=brightness=\(spec.brightness):contrast=\(spec.contrast):saturation=\(spec.saturation)")
        }
        var textMark: (String, Watermark)?
        var imageMark: Watermark?
        if let mark = spec.watermark {
            switch mark.content {
            case .text(let text): textMark = (text, mark)
            case .image: imageMark = assets.watermarkImage == nil ? nil : mark
            }
        }
        if hasText {
            let script = SubtitleScript(width: format.width, height: format.height, fontFamily: Self.styleSafe(assets.fontFamily ?? "sans-serif"))
            files[Self.scriptName] = script.document(subtitle: spec.subtitle, watermark: textMark, duration: duration)
            video.append("ass=\(Self.scriptName)")
        }
        var graph: [String] = []
        var nextInput = 1
        let base = "[0:v]" + (video.isEmpty ? "null" : video.joined(separator: ","))
        if let mark = imageMark, let image = assets.watermarkImage {
            inputs += ["-i", image]
            let width = max(2, Int((Double(format.width) * mark.scale).rounded()))
            let alpha = Double(mark.opacity) / 100
            // Converted to the frames' own colour (BT.709, limited) and overlaid in yuv420p: an
            // RGB overlay would take the whole frame through RGB with another matrix.
            graph.append(
                "[\(nextInput):v]format=rgba,scale=\(width):-1,colorchannelmixer=aa=\(alpha),"
                    + "scale=out_color_matrix=bt709:out_range=tv,format=yuva420p[mark]"
            )
            nextInput += 1
            graph.append(base + "[base]")
            let margin = format.width / 50
            let (x, y) = Self.overlayPosition(mark.position, margin: margin)
            graph.append("[base][mark]overlay=x=\(x):y=\(y):format=yuv420[vout]")
        } else {
            graph.append(base + "[vout]")
        }
        if let music = spec.music {
            let seconds = String(format: "%.3f", duration)
            var chain: [String] = []
            switch music.source {
            case .builtin(let track):
                chain = ["aevalsrc=exprs=\(track.expression):s=48000:c=stereo:d=\(seconds)"]
            case .url:
                guard let file = assets.musicFile else { break }
                inputs += ["-stream_loop", "-1", "-i", file]
                chain = ["[\(nextInput):a]atrim=end=\(seconds)", "asetpts=PTS-STARTPTS"]
                nextInput += 1
            }
            if !chain.isEmpty {
                if music.volume != 1 { chain.append("volume=\(music.volume)") }
                if music.fadeOut > 0 {
                    chain.append("afade=t=out:st=\(String(format: "%.3f", max(0, duration - music.fadeOut))):d=\(String(format: "%.3f", music.fadeOut))")
                }
                chain.append("aformat=sample_rates=48000:channel_layouts=stereo")
                graph.append(chain.joined(separator: ",") + "[aout]")
                hasAudio = true
            }
        }
        filterGraph = graph.joined(separator: ";")
    }

    /// A plan that only encodes: no filters, no audio, `output`'s codec settings.
    public init(output: OutputSettings) {
        self.output = output
        fontFamily = nil
        filterGraph = "[0:v]null[vout]"
    }

    /// The output half of the ffmpeg command line (after all inputs), ending with `path`.
    public func outputArguments(path: String) -> [String] {
        var arguments = ["-filter_complex", filterGraph, "-map", "[vout]"]
        if hasAudio {
            arguments += ["-map", "[aout]", "-c:a", output.audioCodec.rawValue, "-b:a", "128k"]
        } else {
            arguments += ["-an"]
        }
        arguments += ["-c:v", output.codec.encoderName, "-preset", output.preset]
        switch output.rateControl {
        case .crf(let value): arguments += ["-crf", String(value)]
        case .bitrate(let kbps): arguments += ["-b:v", "\(kbps)k"]
        }
        if output.codec == .h265 {
            arguments += ["-x265-params", "log-level=error"]
        }
        arguments += ["-pix_fmt", "yuv420p"] + VideoFormat.colorArguments + ["-tag:v", output.codec.tag, "-movflags", "+faststart", "-f", "mp4", path]
        return arguments
    }

    /// Whether `spec` draws text (a subtitle or a text watermark), so a font must be resolved.
    public static func drawsText(_ spec: GenerationSpec) -> Bool {
        if spec.subtitle != nil { return true }
        if case .text? = spec.watermark?.content { return true }
        return false
    }

    /// overlay's x and y expressions for a corner or the centre.
    static func overlayPosition(_ position: Watermark.Position, margin: Int) -> (String, String) {
        switch position {
        case .topLeft: ("\(margin)", "\(margin)")
        case .topRight: ("main_w-overlay_w-\(margin)", "\(margin)")
        case .bottomLeft: ("\(margin)", "main_h-overlay_h-\(margin)")
        case .bottomRight: ("main_w-overlay_w-\(margin)", "main_h-overlay_h-\(margin)")
        case .center: ("(main_w-overlay_w)/2", "(main_h-overlay_h)/2")
        }
    }

    /// A font family name safe inside an ASS style line (no commas or control characters).
    static func styleSafe(_ family: String) -> String {
        String(family.unicodeScalars.filter { $0 != "," && $0.properties.generalCategory != .control }.map(Character.init))
    }
}

extension VideoCodec {
    /// The ffmpeg encoder name.
    var encoderName: String { self == .h265 ? "libx265" : "libx264" }
    /// The MP4 sample entry tag: `hvc1` (what Safari needs for HEVC) or `avc1`.
    var tag: String { self == .h265 ? "hvc1" : "avc1" }
}
