/// The `params.subtitle` object as a client sends it; validated into a ``Subtitle``.
public struct SubtitleRequest: Codable, Sendable, Hashable {
    /// Whether to draw the subtitle. Default true when `text` or `segments` is given.
    public var enable: Bool?
    /// One line for the whole video (exclusive with `segments`).
    public var text: String?
    /// Timed lines (exclusive with `text`).
    public var segments: [SegmentRequest]?
    /// Font family; unknown names fall back to the default CJK-capable font.
    public var font: String?
    /// Font size in pixels, 8–200.
    public var size: Int?
    /// `#RRGGBB`.
    public var color: String?
    /// `bottom`, `top` or `center`.
    public var position: String?
    /// Drop shadow on or off.
    public var shadow: Bool?
    /// Widest line as a fraction of the frame width, 0.2–1.0.
    public var maxWidth: Double?

    /// One timed line on the wire.
    public struct SegmentRequest: Codable, Sendable, Hashable {
        /// Start in seconds.
        public var start: Double?
        /// End in seconds.
        public var end: Double?
        /// The text.
        public var text: String?

        /// Creates a segment.
        public init(start: Double?, end: Double?, text: String?) {
            self.start = start
            self.end = end
            self.text = text
        }
    }

    /// Creates a request; `nil` means "use the default".
    public init(
        enable: Bool? = nil, text: String? = nil, segments: [SegmentRequest]? = nil, font: String? = nil, size: Int? = nil,
        color: String? = nil, position: String? = nil, shadow: Bool? = nil, maxWidth: Double? = nil
    ) {
        self.enable = enable
        self.text = text
        self.segments = segments
        self.font = font
        self.size = size
        self.color = color
        self.position = position
        self.shadow = shadow
        self.maxWidth = maxWidth
    }

    private enum CodingKeys: String, CodingKey {
        case enable, text, segments, font, size, color, position, shadow
        case maxWidth = "max_width"
    }
}

/// The `params.watermark` object as a client sends it; validated into a ``Watermark``.
public struct WatermarkRequest: Codable, Sendable, Hashable {
    /// Text to show (exclusive with `image`).
    public var text: String?
    /// Image URL or data URI (exclusive with `text`).
    public var image: String?
    /// `top_left`, `top_right`, `bottom_left`, `bottom_right` or `center`.
    public var position: String?
    /// 0–100.
    public var opacity: Int?
    /// Fraction of the frame, 0.01–1.0.
    public var scale: Double?

    /// Creates a request; `nil` means "use the default".
    public init(text: String? = nil, image: String? = nil, position: String? = nil, opacity: Int? = nil, scale: Double? = nil) {
        self.text = text
        self.image = image
        self.position = position
        self.opacity = opacity
        self.scale = scale
    }
}

/// The `params.background_music` object as a client sends it; validated into ``BackgroundMusic``.
public struct MusicRequest: Codable, Sendable, Hashable {
    /// An `http(s)` URL of an audio file (exclusive with `builtin`).
    public var url: String?
    /// A built-in track name (exclusive with `url`).
    public var builtin: String?
    /// Gain 0.0–2.0.
    public var volume: Double?
    /// Fade-out seconds.
    public var fadeOut: Double?

    /// Creates a request; `nil` means "use the default".
    public init(url: String? = nil, builtin: String? = nil, volume: Double? = nil, fadeOut: Double? = nil) {
        self.url = url
        self.builtin = builtin
        self.volume = volume
        self.fadeOut = fadeOut
    }

    private enum CodingKeys: String, CodingKey {
        case url, builtin, volume
        case fadeOut = "fade_out"
    }
}
