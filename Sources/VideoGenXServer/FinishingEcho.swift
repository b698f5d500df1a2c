import VideoGenXCore

/// The finishing parameters of a task as `GET /api/v1/video/task/{id}` echoes them: the
/// request's shape with every default applied.
struct FinishingEcho: Encodable, Sendable {
    var brightness: Double
    var denoise: String
    var codec: String
    var crf: Int?
    var bitrate: String?
    var preset: String
    var audioCodec: String
    var subtitle: SubtitleEcho?
    var watermark: WatermarkEcho?
    var backgroundMusic: MusicEcho?

    enum CodingKeys: String, CodingKey {
        case brightness, denoise, codec, crf, bitrate, preset, audioCodec = "audio_codec", subtitle, watermark
        case backgroundMusic = "background_music"
    }

    struct SubtitleEcho: Encodable, Sendable {
        var segments: [SubtitleSegment]
        var font: String?
        var size: Int?
        var color: String
        var position: String
        var shadow: Bool
        var maxWidth: Double

        enum CodingKeys: String, CodingKey {
            case segments, font, size, color, position, shadow, maxWidth = "max_width"
        }
    }

    struct WatermarkEcho: Encodable, Sendable {
        var text: String?
        var image: String?
        var position: String
        var opacity: Int
        var scale: Double
    }

    struct MusicEcho: Encodable, Sendable {
        var url: String?
        var builtin: String?
        var volume: Double
        var fadeOut: Double

        enum CodingKeys: String, CodingKey {
            case url, builtin, volume, fadeOut = "fade_out"
        }
    }

    init(_ spec: GenerationSpec) {
        brightness = spec.brightness
        denoise = spec.denoise.rawValue
        codec = spec.output.codec.rawValue
        switch spec.output.rateControl {
        case .crf(let value): crf = value
        case .bitrate(let kbps): bitrate = "\(kbps)k"
        }
        preset = spec.output.preset
        audioCodec = spec.output.audioCodec.rawValue
        subtitle = spec.subtitle.map {
            SubtitleEcho(
                segments: $0.segments, font: $0.font, size: $0.size, color: $0.color.description, position: $0.position.rawValue,
                shadow: $0.shadow, maxWidth: $0.maxWidth
            )
        }
        watermark = spec.watermark.map { mark in
            var echo = WatermarkEcho(position: mark.position.rawValue, opacity: mark.opacity, scale: mark.scale)
            switch mark.content {
            case .text(let text): echo.text = text
            case .image(let image): echo.image = image
            }
            return echo
        }
        backgroundMusic = spec.music.map { music in
            var echo = MusicEcho(volume: music.volume, fadeOut: music.fadeOut)
            switch music.source {
            case .url(let url): echo.url = url
            case .builtin(let track): echo.builtin = track.rawValue
            }
            return echo
        }
    }
}
