import Foundation
import VideoGenXCore

/// The procedural model's decoder: upsamples latents ×8 in space (bilinear) and ×4 in time
/// (linear between latent frames), maps colour channels to RGB and renders the detail channel as
/// the style's texture. It holds only the latent frames still needed, so frames stream out as
/// soon as the windows they depend on are sampled.
public struct LatentDecoder: LatentFrameDecoder {
    /// Latent geometry of the video.
    let geometry: LatentGeometry
    /// Output width.
    let width: Int
    /// Output height.
    let height: Int
    /// Output frame count.
    let frameCount: Int
    /// Texture of the style.
    let texture: StyleTexture

    /// Latent frames received and still needed, by latent frame index.
    private var window: [Int: [Float]] = [:]
    /// Highest latent frame received so far.
    private var highestReceived = -1
    /// Next video frame to decode.
    public private(set) var nextFrame = 0

    private let xLower: [Int32]
    private let xUpper: [Int32]
    private let xWeight: [Float]
    private let yTaps: [BilinearTap]
    /// One latent row after vertical and temporal interpolation, `[channel][x]`.
    private var row: [Float]
    /// One output row after horizontal interpolation, `[channel][x]`.
    private var pixels: [Float]

    /// A decoder for a video of `width × height × frameCount` in `style`, textured with `seed`.
    init(width: Int, height: Int, frameCount: Int, style: VideoStyle, seed: UInt64) {
        self.width = width
        self.height = height
        self.frameCount = frameCount
        geometry = LatentGeometry(videoWidth: width, videoHeight: height, videoFrames: frameCount)
        texture = StyleTexture(style: style, seed: seed)
        let xTaps = BilinearTap.taps(output: width, input: geometry.width)
        xLower = xTaps.map { Int32($0.lower) }
        xUpper = xTaps.map { Int32($0.upper) }
        xWeight = xTaps.map(\.weight)
        yTaps = BilinearTap.taps(output: height, input: geometry.height)
        row = [Float](repeating: 0, count: LatentBlock.channels * geometry.width)
        pixels = [Float](repeating: 0, count: LatentBlock.channels * width)
    }

    /// Whether every frame has been decoded.
    var isFinished: Bool { nextFrame >= frameCount }

    /// Takes the sampled latent frames of `block`.
    public mutating func receive(_ block: LatentBlock) {
        let perFrame = block.valuesPerFrame
        for f in 0..<block.frameCount {
            let start = f * perFrame
            window[block.firstFrame + f] = Array(block.values[start..<(start + perFrame)])
            highestReceived = max(highestReceived, block.firstFrame + f)
        }
    }

    /// Decodes up to `limit` next frames whose latents have all arrived; empty when none can be.
    public mutating func decodeAvailable(limit: Int) -> [RGBFrame] {
        var frames: [RGBFrame] = []
        while frames.count < limit, nextFrame < frameCount {
            let position = geometry.latentPosition(ofVideoFrame: nextFrame)
            let l0 = Int(position)
            let l1 = min(l0 + 1, geometry.frameCount - 1)
            guard l1 <= highestReceived, let a = window[l0], let b = window[l1] else { break }
            // A sharpened blend between latent frames: less ghosting of fast motion than a
            // straight cross-fade, at the cost of a little judder.
            let t = position - Float(l0)
            let s = min(max((t - 0.25) * 2, 0), 1)
            frames.append(decodeFrame(nextFrame, from: a, b, blend: s * s * (3 - 2 * s)))
            nextFrame += 1
        }
        // Forget latent frames no later frame needs.
        if nextFrame < frameCount {
            let oldestNeeded = Int(geometry.latentPosition(ofVideoFrame: nextFrame))
            for key in window.keys where key < oldestNeeded {
                window[key] = nil
            }
        } else {
            window.removeAll()
        }
        return frames
    }

    private mutating func decodeFrame(_ index: Int, from a: [Float], _ b: [Float], blend t: Float) -> RGBFrame {
        var frame = RGBFrame(width: width, height: height)
        let lw = geometry.width
        let plane = geometry.width * geometry.height
        let channels = LatentBlock.channels
        let width = self.width
        let texture = self.texture
        frame.bytes.withUnsafeMutableBufferPointer { out in
            row.withUnsafeMutableBufferPointer { row in
                pixels.withUnsafeMutableBufferPointer { pixels in
                    xLower.withUnsafeBufferPointer { lower in
                        xUpper.withUnsafeBufferPointer { upper in
                            xWeight.withUnsafeBufferPointer { weight in
                                a.withUnsafeBufferPointer { a in
                                    b.withUnsafeBufferPointer { b in
                                        for y in 0..<height {
                                            let tap = yTaps[y]
                                            // Vertical and temporal interpolation of one latent row, all channels.
                                            for c in 0..<channels {
                                                let r0 = c * plane + tap.lower * lw
                                                let r1 = c * plane + tap.upper * lw
                                                for x in 0..<lw {
                                                    let va = a[r0 + x] + tap.weight * (a[r1 + x] - a[r0 + x])
                                                    let vb = b[r0 + x] + tap.weight * (b[r1 + x] - b[r0 + x])
                                                    row[c * lw + x] = va + t * (vb - va)
                                                }
                                            }
                                            // Horizontal interpolation, one channel at a time.
                                            for c in 0..<channels {
                                                let source = c * lw
                                                let target = c * width
                                                for x in 0..<width {
                                                    let p = row[source + Int(lower[x])]
                                                    pixels[target + x] = p + weight[x] * (row[source + Int(upper[x])] - p)
                                                }
                                            }
                                            // Colour mapping and texture into packed RGB.
                                            texture.shade(
                                                pixels, width: width, y: y, frame: index,
                                                into: UnsafeMutableBufferPointer(rebasing: out[(y * width * 3)..<((y + 1) * width * 3)])
                                            )
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return frame
    }
}

/// The two input samples and weight of one output sample of a bilinear resize.
struct BilinearTap: Sendable {
    /// Lower input index.
    var lower: Int
    /// Upper input index.
    var upper: Int
    /// Weight of `upper` (0–1).
    var weight: Float

    /// Taps for resizing `input` samples to `output` samples (pixel centres aligned).
    static func taps(output: Int, input: Int) -> [BilinearTap] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { i in
            let position = min(max((Float(i) + 0.5) * scale - 0.5, 0), Float(input - 1))
            let lower = Int(position)
            return BilinearTap(lower: lower, upper: min(lower + 1, input - 1), weight: position - Float(lower))
        }
    }
}
