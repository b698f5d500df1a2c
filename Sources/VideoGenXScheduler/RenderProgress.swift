/// Progress of a one-shot render (sampling and encoding interleave window by window).
public struct RenderProgress: Sendable, Hashable {
    /// Sampler steps finished in the current window.
    public var step: Int
    /// Sampler steps per window.
    public var steps: Int
    /// Current latent window (0-based).
    public var window: Int
    /// Windows in the video.
    public var windowCount: Int
    /// Frames handed to the encoder so far.
    public var framesEncoded: Int
    /// Frames in the video.
    public var totalFrames: Int

    /// Overall completion, 0–1: half sampling, half encoding.
    public var fraction: Double {
        let sampled = windowCount * steps == 0 ? 1 : Double(window * steps + step) / Double(windowCount * steps)
        let encoded = totalFrames == 0 ? 1 : Double(framesEncoded) / Double(totalFrames)
        return min(1, 0.5 * sampled + 0.5 * encoded)
    }
}
