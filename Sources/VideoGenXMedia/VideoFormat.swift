/// Size and rate of the raw frames an encoder is fed.
public struct VideoFormat: Sendable, Hashable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Frames per second.
    public var fps: Int

    /// Creates a format.
    public init(width: Int, height: Int, fps: Int) {
        self.width = width
        self.height = height
        self.fps = fps
    }

    /// The raw-video input half of the ffmpeg command line, reading `rgb24` from `source`.
    func inputArguments(source: String) -> [String] {
        ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-r", String(fps), "-i", source]
    }
}
