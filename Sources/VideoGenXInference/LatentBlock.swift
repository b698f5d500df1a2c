/// A contiguous run of latent frames of one video, laid out `[frame][channel][y][x]` as Float32.
///
/// Video latents are 1/8 of the pixel resolution in space and 1/4 in time (as real video VAEs);
/// a block holds frames `firstFrame ..< firstFrame + frameCount` so that long videos are sampled
/// and decoded a window at a time and memory stays flat in the video's length.
public struct LatentBlock: Sendable, Equatable {
    /// Latent channels per pixel (colour in 0–2, detail amplitude in 3).
    public static let channels = 4

    /// Index of the first latent frame of the video held here.
    public var firstFrame: Int
    /// Number of latent frames held.
    public var frameCount: Int
    /// Latent height.
    public var height: Int
    /// Latent width.
    public var width: Int
    /// `frameCount × channels × height × width` values.
    public var values: [Float]

    /// A zero block of the given shape.
    public init(firstFrame: Int, frameCount: Int, height: Int, width: Int) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.height = height
        self.width = width
        self.values = [Float](repeating: 0, count: frameCount * Self.channels * height * width)
    }

    /// Values in one latent frame (all channels).
    public var valuesPerFrame: Int { Self.channels * height * width }

    /// Values in one channel plane of one frame.
    public var planeSize: Int { height * width }

    /// A zero block with the same shape and position as this one.
    public func zeroed() -> LatentBlock {
        LatentBlock(firstFrame: firstFrame, frameCount: frameCount, height: height, width: width)
    }

    /// Root-mean-square difference to another block of the same shape.
    public func rmsDifference(to other: LatentBlock) -> Double {
        precondition(values.count == other.values.count, "latent blocks differ in shape")
        var total = 0.0
        for i in values.indices {
            let d = Double(values[i] - other.values[i])
            total += d * d
        }
        return (total / Double(max(values.count, 1))).squareRoot()
    }
}
