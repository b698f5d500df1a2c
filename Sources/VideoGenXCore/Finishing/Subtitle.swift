/// A validated subtitle track: timed text drawn over the video, wrapped within a fraction of the
/// frame width. Rendered by ffmpeg (libass) with fonts found through fontconfig.
public struct Subtitle: Sendable, Hashable, Codable {
    /// Where the text sits on the frame.
    public enum Position: String, Sendable, Hashable, Codable, CaseIterable {
        /// Centred near the bottom edge (the default).
        case bottom
        /// Centred near the top edge.
        case top
        /// In the middle of the frame.
        case center
    }

    /// The timed lines, in order, within the video's length.
    public var segments: [SubtitleSegment]
    /// Requested font family (e.g. `simhei`); `nil` picks the default CJK-capable font.
    public var font: String?
    /// Font size in pixels at the output resolution; `nil` is 5 % of the frame height.
    public var size: Int?
    /// Text colour. Default white.
    public var color: RGBColour
    /// Vertical placement. Default `bottom`.
    public var position: Position
    /// Whether the text has a drop shadow (and a thin outline). Default true.
    public var shadow: Bool
    /// Widest a line may be, as a fraction of the frame width (0.2–1.0); longer lines wrap.
    /// Default 0.9.
    public var maxWidth: Double

    /// Creates a track; defaults as documented on each property.
    public init(
        segments: [SubtitleSegment], font: String? = nil, size: Int? = nil, color: RGBColour = .white,
        position: Position = .bottom, shadow: Bool = true, maxWidth: Double = 0.9
    ) {
        self.segments = segments
        self.font = font
        self.size = size
        self.color = color
        self.position = position
        self.shadow = shadow
        self.maxWidth = maxWidth
    }
}

/// One line of a subtitle track, shown from `start` to `end` seconds.
public struct SubtitleSegment: Sendable, Hashable, Codable {
    /// Start time in seconds.
    public var start: Double
    /// End time in seconds (after `start`).
    public var end: Double
    /// The text; `\n` breaks the line.
    public var text: String

    /// Creates a segment.
    public init(start: Double, end: Double, text: String) {
        self.start = start
        self.end = end
        self.text = text
    }
}

/// An sRGB colour with 8-bit channels, written `#RRGGBB` on the wire.
public struct RGBColour: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Red 0–255.
    public var red: UInt8
    /// Green 0–255.
    public var green: UInt8
    /// Blue 0–255.
    public var blue: UInt8

    /// White.
    public static let white = RGBColour(red: 255, green: 255, blue: 255)

    /// Creates a colour from its channels.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses `#RRGGBB` (case-insensitive); `nil` for anything else.
    public init?(hex text: String) {
        guard text.count == 7, text.first == "#", let value = UInt32(text.dropFirst(), radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16 & 0xFF), green: UInt8(value >> 8 & 0xFF), blue: UInt8(value & 0xFF))
    }

    /// `#RRGGBB`.
    public var description: String { "#" + [red, green, blue].hex.uppercased() }
}
