import VideoGenXCore

/// Reading the finishing parts of `params` (subtitle, watermark, music, colour, output) out of
/// the JSON body, type errors recorded per field; range checks happen in Core's validation.
extension GenerateBody {
    /// The keys `params` accepts.
    static let parameterKeys: Set<String> = [
        "resolution", "fps", "duration", "style", "saturation", "contrast", "cfg_scale", "steps", "sampler", "seed",
        "brightness", "denoise", "subtitle", "watermark", "background_music", "codec", "crf", "bitrate", "preset", "audio_codec",
        "model",
    ]

    /// Reads the finishing fields of `reader`'s `params` object into `params`.
    static func readFinishing(_ reader: inout FieldReader, into params: inout GenerationRequest.Parameters) {
        params.brightness = reader.number("brightness")
        params.denoise = reader.string("denoise")
        params.codec = reader.string("codec")
        params.crf = reader.integer("crf")
        params.bitrate = reader.string("bitrate")
        params.preset = reader.string("preset")
        params.audioCodec = reader.string("audio_codec")
        if let object = reader.object("subtitle") {
            var sub = FieldReader(object, prefix: "params.subtitle")
            sub.rejectUnknown(["enable", "text", "segments", "font", "size", "color", "position", "shadow", "max_width"])
            let segments = sub.objects("segments")?.map { path, element in
                var segment = FieldReader(element, prefix: path)
                segment.rejectUnknown(["start", "end", "text"])
                let value = SubtitleRequest.SegmentRequest(start: segment.number("start"), end: segment.number("end"), text: segment.string("text"))
                sub.issues += segment.issues
                return value
            }
            params.subtitle = SubtitleRequest(
                enable: sub.bool("enable"), text: sub.string("text"), segments: segments, font: sub.string("font"),
                size: sub.integer("size"), color: sub.string("color"), position: sub.string("position"),
                shadow: sub.bool("shadow"), maxWidth: sub.number("max_width")
            )
            reader.issues += sub.issues
        }
        if let object = reader.object("watermark") {
            var mark = FieldReader(object, prefix: "params.watermark")
            mark.rejectUnknown(["text", "image", "position", "opacity", "scale"])
            params.watermark = WatermarkRequest(
                text: mark.string("text"), image: mark.string("image"), position: mark.string("position"),
                opacity: mark.integer("opacity"), scale: mark.number("scale")
            )
            reader.issues += mark.issues
        }
        if let object = reader.object("background_music") {
            var music = FieldReader(object, prefix: "params.background_music")
            music.rejectUnknown(["url", "builtin", "volume", "fade_out"])
            params.backgroundMusic = MusicRequest(
                url: music.string("url"), builtin: music.string("builtin"), volume: music.number("volume"), fadeOut: music.number("fade_out")
            )
            reader.issues += music.issues
        }
    }
}
