import Foundation

/// Validation of the finishing parameters: colour, subtitle, watermark, music and output.
extension GenerationRequest.Parameters {
    /// Longest subtitle segment or watermark text, in characters.
    static let maxSubtitleText = 500
    /// Most subtitle segments per request.
    static let maxSegments = 200
    /// Longest watermark text, in characters.
    static let maxWatermarkText = 100
    /// Bitrates accepted, in kbit/s.
    static let bitrateRange = 100...100_000

    /// Validated finishing values, or `nil` members where a field was refused (the issue says why).
    struct Finishing {
        var brightness = 0.0
        var denoise = Denoise.off
        var subtitle: Subtitle?
        var watermark: Watermark?
        var music: BackgroundMusic?
        var output = OutputSettings()
    }

    /// Checks every finishing field for a clip of `duration` seconds, appending one issue per problem.
    func validatedFinishing(duration: Double, limits: GenerationLimits, into issues: inout [FieldIssue]) -> Finishing {
        var result = Finishing()
        result.brightness = brightness ?? 0
        GenerationRequest.check(result.brightness, in: -1.0...1.0, field: "params.brightness", into: &issues)
        result.denoise = GenerationRequest.choice(denoise, default: Denoise.off, field: "params.denoise", into: &issues) ?? .off
        if let subtitle {
            result.subtitle = Self.validate(subtitle, duration: duration, into: &issues)
        }
        if let watermark {
            result.watermark = Self.validate(watermark, limits: limits, into: &issues)
        }
        if let backgroundMusic {
            result.music = Self.validate(backgroundMusic, duration: duration, into: &issues)
        }
        result.output = validatedOutput(into: &issues)
        return result
    }

    private func validatedOutput(into issues: inout [FieldIssue]) -> OutputSettings {
        let codec = GenerationRequest.choice(codec, default: VideoCodec.h265, field: "params.codec", into: &issues) ?? .h265
        var rate: RateControl?
        if let crf {
            GenerationRequest.check(crf, in: 0...51, field: "params.crf", unit: "", into: &issues)
            rate = .crf(crf)
        }
        if let bitrate {
            if crf != nil {
                issues.append(FieldIssue(field: "params.bitrate", reason: "cannot be combined with params.crf; choose one"))
            } else if let kbps = Self.kilobits(bitrate), Self.bitrateRange.contains(kbps) {
                rate = .bitrate(kbps: kbps)
            } else {
                issues.append(FieldIssue(field: "params.bitrate", reason: "must be 100k–100M written like '800k' or '4M', got '\(bitrate.prefix(40))'"))
            }
        }
        let preset = self.preset ?? EncoderPreset.default
        if !EncoderPreset.names.contains(preset) {
            issues.append(FieldIssue(field: "params.preset", reason: "must be one of \(EncoderPreset.names.joined(separator: ", ")), got '\(preset.prefix(40))'"))
        }
        let audio = GenerationRequest.choice(audioCodec, default: AudioCodec.aac, field: "params.audio_codec", into: &issues) ?? .aac
        return OutputSettings(codec: codec, rateControl: rate, preset: preset, audioCodec: audio)
    }

    /// `800k`, `4M`, `2.5m` or a plain number of bit/s, in kbit/s; `nil` when unreadable.
    static func kilobits(_ text: String) -> Int? {
        let lower = text.lowercased()
        let multiplier: Double = lower.hasSuffix("m") ? 1000 : lower.hasSuffix("k") ? 1 : 0.001
        let digits = lower.hasSuffix("m") || lower.hasSuffix("k") ? String(lower.dropLast()) : lower
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(digits), value.isFinite
        else { return nil }
        let kbps = (value * multiplier).rounded()
        return kbps < 1e9 ? Int(kbps) : nil
    }

    private static func validate(_ request: SubtitleRequest, duration: Double, into issues: inout [FieldIssue]) -> Subtitle? {
        let field = "params.subtitle"
        let before = issues.count
        var segments: [SubtitleSegment] = []
        switch (request.text, request.segments) {
        case (let text?, nil):
            if checkText(text, field: "\(field).text", max: maxSubtitleText, into: &issues) {
                segments = [SubtitleSegment(start: 0, end: duration, text: text)]
            }
        case (nil, let wire?):
            if wire.isEmpty || wire.count > maxSegments {
                issues.append(FieldIssue(field: "\(field).segments", reason: "must hold 1–\(maxSegments) segments, got \(wire.count)"))
            }
            for (index, segment) in wire.prefix(maxSegments).enumerated() {
                let path = "\(field).segments[\(index)]"
                guard let start = segment.start, let end = segment.end, let text = segment.text else {
                    issues.append(FieldIssue(field: path, reason: "needs start, end and text"))
                    continue
                }
                if !start.isFinite || !end.isFinite || start < 0 || end <= start || start >= duration {
                    issues.append(FieldIssue(field: path, reason: "must have 0 ≤ start < end and start before the video's end (\(duration) s), got \(start)–\(end)"))
                } else if checkText(text, field: "\(path).text", max: maxSubtitleText, into: &issues) {
                    segments.append(SubtitleSegment(start: start, end: min(end, duration), text: text))
                }
            }
        case (nil, nil):
            if request.enable != false {
                issues.append(FieldIssue(field: field, reason: "needs text or segments"))
            }
        case (.some, .some):
            issues.append(FieldIssue(field: field, reason: "takes text or segments, not both"))
        }
        if let font = request.font, !isFontName(font) {
            issues.append(FieldIssue(field: "\(field).font", reason: "must be 1–64 letters, digits, spaces, '-' or '_', got '\(font.prefix(40))'"))
        }
        if let size = request.size {
            GenerationRequest.check(size, in: 8...200, field: "\(field).size", unit: " px", into: &issues)
        }
        var colour = RGBColour.white
        if let text = request.color {
            if let parsed = RGBColour(hex: text) { colour = parsed } else {
                issues.append(FieldIssue(field: "\(field).color", reason: "must be #RRGGBB, got '\(text.prefix(40))'"))
            }
        }
        let position = GenerationRequest.choice(request.position, default: Subtitle.Position.bottom, field: "\(field).position", into: &issues)
        let maxWidth = request.maxWidth ?? 0.9
        GenerationRequest.check(maxWidth, in: 0.2...1.0, field: "\(field).max_width", into: &issues)
        guard issues.count == before, request.enable != false, let position else { return nil }
        return Subtitle(
            segments: segments, font: request.font, size: request.size, color: colour, position: position,
            shadow: request.shadow ?? true, maxWidth: maxWidth
        )
    }

    private static func validate(_ request: WatermarkRequest, limits: GenerationLimits, into issues: inout [FieldIssue]) -> Watermark? {
        let field = "params.watermark"
        let before = issues.count
        var content: Watermark.Content?
        switch (request.text, request.image) {
        case (let text?, nil):
            if checkText(text, field: "\(field).text", max: maxWatermarkText, into: &issues) { content = .text(text) }
        case (nil, let image?):
            if let issue = GenerationRequest.referenceIssue(image, field: "\(field).image", limits: limits) {
                issues.append(issue)
            } else {
                content = .image(image)
            }
        case (nil, nil):
            issues.append(FieldIssue(field: field, reason: "needs text or image"))
        case (.some, .some):
            issues.append(FieldIssue(field: field, reason: "takes text or image, not both"))
        }
        let position = GenerationRequest.choice(request.position, default: Watermark.Position.bottomRight, field: "\(field).position", into: &issues)
        let opacity = request.opacity ?? 50
        GenerationRequest.check(opacity, in: 0...100, field: "\(field).opacity", unit: "", into: &issues)
        if let scale = request.scale {
            GenerationRequest.check(scale, in: 0.01...1.0, field: "\(field).scale", into: &issues)
        }
        guard issues.count == before, let content, let position else { return nil }
        return Watermark(content: content, position: position, opacity: opacity, scale: request.scale)
    }

    private static func validate(_ request: MusicRequest, duration: Double, into issues: inout [FieldIssue]) -> BackgroundMusic? {
        let field = "params.background_music"
        let before = issues.count
        var source: BackgroundMusic.Source?
        switch (request.url, request.builtin) {
        case (let url?, nil):
            let lower = url.lowercased()
            if url.count > 2048 || !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || URL(string: url)?.host == nil {
                issues.append(FieldIssue(field: "\(field).url", reason: "must be an absolute http(s) URL of at most 2048 characters"))
            } else {
                source = .url(url)
            }
        case (nil, let name?):
            if let track = BuiltinTrack(rawValue: name) {
                source = .builtin(track)
            } else {
                let names = BuiltinTrack.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
                issues.append(FieldIssue(field: "\(field).builtin", reason: "must be one of \(names), got '\(name.prefix(40))'"))
            }
        case (nil, nil):
            issues.append(FieldIssue(field: field, reason: "needs url or builtin"))
        case (.some, .some):
            issues.append(FieldIssue(field: field, reason: "takes url or builtin, not both"))
        }
        let volume = request.volume ?? 1
        GenerationRequest.check(volume, in: 0.0...2.0, field: "\(field).volume", into: &issues)
        let fade = request.fadeOut ?? 0
        GenerationRequest.check(fade, in: 0.0...max(duration, 0), field: "\(field).fade_out", into: &issues)
        guard issues.count == before, let source else { return nil }
        return BackgroundMusic(source: source, volume: volume, fadeOut: fade)
    }

    /// Records an issue unless `text` has 1–`max` characters and is not only whitespace.
    private static func checkText(_ text: String, field: String, max: Int, into issues: inout [FieldIssue]) -> Bool {
        if text.allSatisfy(\.isWhitespace) {
            issues.append(FieldIssue(field: field, reason: "must not be empty or only whitespace"))
            return false
        }
        if text.count > max {
            issues.append(FieldIssue(field: field, reason: "must be at most \(max) characters, got \(text.count)"))
            return false
        }
        return true
    }

    /// Font names go to fontconfig: letters, digits, spaces, `-` and `_` only (no pattern syntax).
    private static func isFontName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || " -_".unicodeScalars.contains($0) }
            && !name.allSatisfy(\.isWhitespace)
    }
}
