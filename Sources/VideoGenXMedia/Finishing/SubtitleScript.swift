import Foundation
import VideoGenXCore

/// Writes the ASS (Advanced SubStation Alpha) script that ffmpeg's `ass` filter (libass) draws:
/// the subtitle track and a text watermark, each with its own style. Pure: spec in, text out.
///
/// User text never reaches the filter graph (the graph names the script file only) and is
/// escaped for ASS: `{`/`}` cannot open override tags, a backslash cannot start an escape such
/// as `\N`, control characters are dropped, and newlines become line breaks.
struct SubtitleScript: Sendable {
    /// Frame width and height in pixels (the script's coordinate space, 1:1 with pixels).
    var width: Int
    var height: Int
    /// The font family to draw with (as fontconfig resolved it).
    var fontFamily: String

    /// The whole script for `subtitle` and a text `watermark` over a clip of `duration` seconds.
    func document(subtitle: Subtitle?, watermark: (text: String, mark: Watermark)?, duration: Double) -> String {
        var lines = [
            "[Script Info]", "ScriptType: v4.00+", "PlayResX: \(width)", "PlayResY: \(height)", "YCbCr Matrix: TV.709", "WrapStyle: 0",
            "ScaledBorderAndShadow: yes", "", "[V4+ Styles]",
            "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        ]
        var events: [String] = []
        if let subtitle {
            let size = subtitleSize(subtitle)
            let margin = Int((Double(width) * (1 - subtitle.maxWidth) / 2).rounded())
            let alignment = switch subtitle.position { case .bottom: 2; case .top: 8; case .center: 5 }
            let outline = subtitle.shadow ? max(1, size / 24) : 0
            let shadow = subtitle.shadow ? max(1, size / 16) : 0
            let colour = Self.colour(subtitle.color, alpha: 0)
            lines.append("Style: Subtitle,\(fontFamily),\(size),\(colour),\(colour),&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,\(outline),\(shadow),\(alignment),\(margin),\(margin),\(height / 20),1")
            let breaker = SubtitleLineBreaker(fontSize: Double(size), maxWidth: Double(width - 2 * margin))
            for segment in subtitle.segments {
                let text = Self.escape(breaker.breakLines(segment.text))
                events.append("Dialogue: 0,\(Self.time(segment.start)),\(Self.time(segment.end)),Subtitle,,0,0,0,,\(text)")
            }
        }
        if let (text, mark) = watermark {
            let size = max(8, Int((Double(height) * mark.scale).rounded()))
            let alpha = UInt8((255 * (100 - Double(mark.opacity)) / 100).rounded())
            let alignment = switch mark.position {
            case .topLeft: 7
            case .topRight: 9
            case .bottomLeft: 1
            case .bottomRight: 3
            case .center: 5
            }
            let margin = width / 50
            let fill = Self.colour(.white, alpha: alpha)
            let edge = Self.colour(RGBColour(red: 0, green: 0, blue: 0), alpha: alpha)
            lines.append("Style: Watermark,\(fontFamily),\(size),\(fill),\(fill),\(edge),\(edge),0,0,0,0,100,100,0,0,1,\(max(1, size / 24)),0,\(alignment),\(margin),\(margin),\(margin),1")
            events.append("Dialogue: 1,\(Self.time(0)),\(Self.time(duration + 1)),Watermark,,0,0,0,,\(Self.escape(text))")
        }
        lines += ["", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"]
        lines += events
        return lines.joined(separator: "\n") + "\n"
    }

    /// The subtitle font size in pixels: as requested, or 5 % of the frame height.
    func subtitleSize(_ subtitle: Subtitle) -> Int {
        subtitle.size ?? max(8, Int((Double(height) * 0.05).rounded()))
    }

    /// Escapes user text for an ASS `Dialogue` line (see the type's documentation).
    static func escape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": output += "\\\u{2060}"  // a word joiner after it: `\N`, `\h`, `\{` lose their meaning
            case "{": output += "\\{"
            case "}": output += "\\}"
            case "\n": output += "\\N"
            case "\t": output += " "
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
                    || scalar.properties.generalCategory == .paragraphSeparator {
                    continue
                }
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// `&HAABBGGRR`, ASS's colour notation (alpha 0 = opaque).
    static func colour(_ colour: RGBColour, alpha: UInt8) -> String {
        "&H" + [alpha, colour.blue, colour.green, colour.red].hex.uppercased()
    }

    /// `H:MM:SS.cc`, ASS's time notation.
    static func time(_ seconds: Double) -> String {
        let centiseconds = Int((max(0, seconds) * 100).rounded())
        return String(format: "%d:%02d:%02d.%02d", centiseconds / 360_000, centiseconds / 6000 % 60, centiseconds / 100 % 60, centiseconds % 100)
    }
}
