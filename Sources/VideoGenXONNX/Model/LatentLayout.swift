import VideoGenXInference

/// Moves latents between the sampling loop's layout (`[frame][channel][y][x]`) and the model
/// contract's `[batch, channel, frame, y, x]`.
enum LatentLayout {
    /// `block`'s values channel-major, appended to `tensor` (one batch item).
    static func appendChannelMajor(_ block: LatentBlock, to tensor: inout [Float]) {
        let plane = block.planeSize
        block.values.withUnsafeBufferPointer { values in
            for channel in 0..<LatentBlock.channels {
                for frame in 0..<block.frameCount {
                    let start = frame * block.valuesPerFrame + channel * plane
                    tensor.append(contentsOf: values[start..<(start + plane)])
                }
            }
        }
    }

    /// Batch item `item` of a channel-major tensor shaped like `block`, written into `block`.
    static func readChannelMajor(_ tensor: [Float], item: Int, into block: inout LatentBlock) {
        let plane = block.planeSize
        let perItem = block.values.count
        let base = item * perItem
        let (frames, perFrame) = (block.frameCount, block.valuesPerFrame)
        block.values.withUnsafeMutableBufferPointer { values in
            tensor.withUnsafeBufferPointer { source in
                for channel in 0..<LatentBlock.channels {
                    for frame in 0..<frames {
                        let from = base + (channel * frames + frame) * plane
                        let to = frame * perFrame + channel * plane
                        for i in 0..<plane {
                            values[to + i] = source[from + i]
                        }
                    }
                }
            }
        }
    }

    /// `[1, channels, frames, height, width]` of `block`.
    static func shape(of block: LatentBlock, batch: Int = 1) -> [Int] {
        [batch, LatentBlock.channels, block.frameCount, block.height, block.width]
    }
}
