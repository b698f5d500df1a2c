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

    /// This block on a `height × width` canvas (at least its own size), at the top left, zeros
    /// around it: how a batch stacks videos of different sizes in one bucket (pad-crop).
    public func padded(toHeight newHeight: Int, width newWidth: Int) -> LatentBlock {
        guard newHeight != height || newWidth != width else { return self }
        precondition(newHeight >= height && newWidth >= width, "padding cannot shrink a block")
        var result = LatentBlock(firstFrame: firstFrame, frameCount: frameCount, height: newHeight, width: newWidth)
        copyCorner(into: &result, rows: height, columns: width)
        return result
    }

    /// The top-left `height × width` of this block: a padded block cropped back.
    public func cropped(toHeight newHeight: Int, width newWidth: Int) -> LatentBlock {
        guard newHeight != height || newWidth != width else { return self }
        precondition(newHeight <= height && newWidth <= width, "cropping cannot grow a block")
        var result = LatentBlock(firstFrame: firstFrame, frameCount: frameCount, height: newHeight, width: newWidth)
        copyCorner(into: &result, rows: newHeight, columns: newWidth)
        return result
    }

    /// Copies the top-left `rows × columns` of every plane of this block into `target`'s.
    private func copyCorner(into target: inout LatentBlock, rows: Int, columns: Int) {
        for plane in 0..<(frameCount * Self.channels) {
            for y in 0..<rows {
                let from = plane * planeSize + y * width
                let to = plane * target.planeSize + y * target.width
                target.values.replaceSubrange(to..<(to + columns), with: values[from..<(from + columns)])
            }
        }
    }
}
