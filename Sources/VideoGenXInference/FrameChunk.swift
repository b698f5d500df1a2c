import VideoGenXCore

/// A run of consecutive decoded frames of one job, streamed from a model's decoder.
public struct FrameChunk: Sendable {
    /// Index of the job in its batch.
    public var jobIndex: Int
    /// Index of the first frame in the video.
    public var firstFrame: Int
    /// The frames, in order.
    public var frames: [RGBFrame]

    /// Creates a chunk.
    public init(jobIndex: Int, firstFrame: Int, frames: [RGBFrame]) {
        self.jobIndex = jobIndex
        self.firstFrame = firstFrame
        self.frames = frames
    }
}
