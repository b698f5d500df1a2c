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

    /// The raw-video input half of the ffmpeg command line, reading `yuv420p` (BT.709, limited
    /// range, as ``YUV420Converter`` writes it) from `source`.
    func inputArguments(source: String) -> [String] {
        ["-f", "rawvideo", "-pix_fmt", "yuv420p"] + Self.colorArguments + ["-s", "\(width)x\(height)", "-r", String(fps), "-i", source]
    }

    /// The colour description of our frames, given to ffmpeg for the input and written into the
    /// output's VUI, so players convert back with the matrix the frames were made with.
    static let colorArguments = ["-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709"]
}
