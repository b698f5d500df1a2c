/// A validated watermark: a text or an image, placed in a corner or the centre, blended at an
/// opacity. Only tiers with ``TierPolicy/customWatermark`` may set one.
public struct Watermark: Sendable, Hashable, Codable {
    /// What the watermark shows.
    public enum Content: Sendable, Hashable, Codable {
        /// A line of text (1–100 characters).
        case text(String)
        /// An image: an `http(s)` URL or a `data:image/...;base64,` URI, fetched before rendering.
        case image(String)
    }

    /// Where the watermark sits.
    public enum Position: String, Sendable, Hashable, Codable, CaseIterable {
        /// Top-left corner.
        case topLeft = "top_left"
        /// Top-right corner.
        case topRight = "top_right"
        /// Bottom-left corner.
        case bottomLeft = "bottom_left"
        /// Bottom-right corner (the default).
        case bottomRight = "bottom_right"
        /// The middle of the frame.
        case center
    }

    /// Text or image.
    public var content: Content
    /// Placement. Default `bottom_right`.
    public var position: Position
    /// Opacity 0–100 (0 invisible, 100 opaque). Default 50.
    public var opacity: Int
    /// Size as a fraction of the frame: an image's width over the frame width (default 0.15), a
    /// text's height over the frame height (default 0.05). 0.01–1.0.
    public var scale: Double

    /// Creates a watermark; `scale` defaults by content as documented on ``scale``.
    public init(content: Content, position: Position = .bottomRight, opacity: Int = 50, scale: Double? = nil) {
        self.content = content
        self.position = position
        self.opacity = opacity
        if let scale {
            self.scale = scale
        } else if case .text = content {
            self.scale = 0.05
        } else {
            self.scale = 0.15
        }
    }
}
