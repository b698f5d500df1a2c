import ArgumentParser
import Foundation
import VideoGenXCore

/// The finishing parameters shared by `generate` and `submit`: colour, subtitle, watermark,
/// music and output. Flags cover the common cases; `--params-file` takes a JSON `params` object
/// in the API's shape (for timed subtitle segments and the rest), and flags override it.
struct FinishingOptions: ParsableArguments {
    @Option(name: .customLong("params-file"), help: "JSON file holding a `params` object as the API takes it; flags override it.")
    var paramsFile: String?

    @Option(help: "Brightness offset, −1.0–1.0. (default: 0)")
    var brightness: Double?

    @Option(help: "off, light or strong. (default: off)")
    var denoise: String?

    @Option(help: "Subtitle text shown for the whole video (CJK works).")
    var subtitle: String?

    @Option(name: .customLong("subtitle-font"), help: "Subtitle font family, e.g. simhei; unknown names fall back to the default CJK font.")
    var subtitleFont: String?

    @Option(name: .customLong("subtitle-size"), help: "Subtitle size in pixels, 8–200. (default: 5% of the height)")
    var subtitleSize: Int?

    @Option(name: .customLong("subtitle-color"), help: "Subtitle colour #RRGGBB. (default: #FFFFFF)")
    var subtitleColor: String?

    @Option(name: .customLong("subtitle-position"), help: "bottom, top or center. (default: bottom)")
    var subtitlePosition: String?

    @Option(name: .customLong("watermark-text"), help: "Watermark text.")
    var watermarkText: String?

    @Option(name: .customLong("watermark-image"), help: "Watermark image: http(s) URL or data: URI.")
    var watermarkImage: String?

    @Option(name: .customLong("watermark-position"), help: "top_left, top_right, bottom_left, bottom_right or center. (default: bottom_right)")
    var watermarkPosition: String?

    @Option(name: .customLong("watermark-opacity"), help: "Watermark opacity 0–100. (default: 50)")
    var watermarkOpacity: Int?

    @Option(help: "Background music: a built-in track (\(BuiltinTrack.allCases.map(\.rawValue).joined(separator: ", "))) or an http(s) URL.")
    var music: String?

    @Option(name: .customLong("music-volume"), help: "Music volume 0.0–2.0. (default: 1.0)")
    var musicVolume: Double?

    @Option(name: .customLong("music-fade-out"), help: "Music fade-out in seconds. (default: 0)")
    var musicFadeOut: Double?

    @Option(help: "h265 or h264 (for browsers without HEVC). (default: h265)")
    var codec: String?

    @Option(help: "Constant rate factor 0–51. (default: 28 for h265, 23 for h264)")
    var crf: Int?

    @Option(help: "Target bitrate such as 4M or 800k, instead of CRF.")
    var bitrate: String?

    @Option(help: "x264/x265 preset, ultrafast…veryslow. (default: veryfast)")
    var preset: String?

    /// `base` with the file's and the flags' finishing values applied.
    /// - Throws: `ValidationError` when the params file cannot be read or parsed.
    func apply(to base: GenerationRequest.Parameters) throws -> GenerationRequest.Parameters {
        var p = base
        if let paramsFile {
            do {
                let fromFile = try JSONDecoder().decode(GenerationRequest.Parameters.self, from: Data(contentsOf: URL(fileURLWithPath: paramsFile)))
                p = fromFile.overridden(by: base)
            } catch {
                throw ValidationError("--params-file: cannot read a params object from \(paramsFile): \(error)")
            }
        }
        p.brightness = brightness ?? p.brightness
        p.denoise = denoise ?? p.denoise
        if subtitle != nil || subtitleFont != nil || subtitleSize != nil || subtitleColor != nil || subtitlePosition != nil {
            var sub = p.subtitle ?? SubtitleRequest()
            sub.text = subtitle ?? sub.text
            sub.font = subtitleFont ?? sub.font
            sub.size = subtitleSize ?? sub.size
            sub.color = subtitleColor ?? sub.color
            sub.position = subtitlePosition ?? sub.position
            p.subtitle = sub
        }
        if watermarkText != nil || watermarkImage != nil || watermarkPosition != nil || watermarkOpacity != nil {
            var mark = p.watermark ?? WatermarkRequest()
            mark.text = watermarkText ?? mark.text
            mark.image = watermarkImage ?? mark.image
            mark.position = watermarkPosition ?? mark.position
            mark.opacity = watermarkOpacity ?? mark.opacity
            p.watermark = mark
        }
        if music != nil || musicVolume != nil || musicFadeOut != nil {
            var track = p.backgroundMusic ?? MusicRequest()
            if let music {
                let isURL = music.lowercased().hasPrefix("http://") || music.lowercased().hasPrefix("https://")
                track.url = isURL ? music : nil
                track.builtin = isURL ? nil : music
            }
            track.volume = musicVolume ?? track.volume
            track.fadeOut = musicFadeOut ?? track.fadeOut
            p.backgroundMusic = track
        }
        p.codec = codec ?? p.codec
        p.crf = crf ?? p.crf
        p.bitrate = bitrate ?? p.bitrate
        p.preset = preset ?? p.preset
        return p
    }
}

extension GenerationRequest.Parameters {
    /// These parameters with every base field `other` sets taking its value.
    func overridden(by other: Self) -> Self {
        var p = self
        p.resolution = other.resolution ?? p.resolution
        p.fps = other.fps ?? p.fps
        p.duration = other.duration ?? p.duration
        p.style = other.style ?? p.style
        p.saturation = other.saturation ?? p.saturation
        p.contrast = other.contrast ?? p.contrast
        p.cfgScale = other.cfgScale ?? p.cfgScale
        p.steps = other.steps ?? p.steps
        p.sampler = other.sampler ?? p.sampler
        p.seed = other.seed ?? p.seed
        return p
    }
}
