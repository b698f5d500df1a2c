/// What a finished one-shot render made and how long it took.
public struct RenderSummary: Sendable, Hashable {
    /// Output file.
    public var path: String
    /// Output size in bytes.
    public var bytes: Int
    /// Frames encoded.
    public var frames: Int
    /// Seed used (recorded so the video can be made again).
    public var seed: UInt64
    /// Sampler actually run (`auto` resolved).
    public var sampler: String
    /// Wall time of the whole render.
    public var totalSeconds: Double
    /// Time the model spent sampling and decoding.
    public var modelSeconds: Double
    /// Time spent waiting for the encoder (pipe full, start-up, final flush): total − model.
    public var encoderWaitSeconds: Double
    /// The font family subtitle or watermark text was drawn with, when there was text.
    public var fontFamily: String?
    /// Whether the video has an audio stream (background music).
    public var hasAudio: Bool
}
