/// How a video of `width × height × frameCount` maps onto latents: 1/8 in space, 1/4 in time.
public struct LatentGeometry: Sendable, Hashable {
    /// Spatial down-sampling factor of the latent space.
    public static let spatialFactor = 8
    /// Temporal down-sampling factor of the latent space.
    public static let temporalFactor = 4

    /// Latent width (`ceil(width / 8)`).
    public let width: Int
    /// Latent height (`ceil(height / 8)`).
    public let height: Int
    /// Latent frames (`ceil(frameCount / 4)`).
    public let frameCount: Int

    /// The latent geometry of a video of the given pixel size and length.
    public init(videoWidth: Int, videoHeight: Int, videoFrames: Int) {
        let s = Self.spatialFactor
        let t = Self.temporalFactor
        width = max(1, (videoWidth + s - 1) / s)
        height = max(1, (videoHeight + s - 1) / s)
        frameCount = max(1, (videoFrames + t - 1) / t)
    }

    /// Latent values per latent frame, all channels.
    public var valuesPerFrame: Int { LatentBlock.channels * width * height }

    /// Position of a video frame on the latent time axis (latent frame `l` covers video frames
    /// `4l ..< 4l + 4` and is centred on `4l + 1.5`), clamped to the latent range.
    public func latentPosition(ofVideoFrame frame: Int) -> Float {
        let p = (Float(frame) + 0.5) / Float(Self.temporalFactor) - 0.5
        return min(max(p, 0), Float(frameCount - 1))
    }
}
