import VideoGenXCore
import VideoGenXInference

/// Decodes each finished window with the model's VAE decoder graph (`[1, C, T, H, W]` →
/// `[1, 3, 4T, 8H, 8W]` in −1…1) and hands out its frames, cropped to the video's size and
/// length, as 8-bit RGB.
struct OnnxFrameDecoder: LatentFrameDecoder {
    let session: OnnxSession
    let width: Int
    let height: Int
    let frameCount: Int
    private(set) var nextFrame = 0
    private var pending: [RGBFrame] = []

    init(session: OnnxSession, job: GenerationJob) {
        self.session = session
        width = job.width
        height = job.height
        frameCount = job.frameCount
    }

    mutating func receive(_ block: LatentBlock) throws {
        var latent: [Float] = []
        latent.reserveCapacity(block.values.count)
        LatentLayout.appendChannelMajor(block, to: &latent)
        let outputs = try session.run(["latent": OnnxTensor(shape: LatentLayout.shape(of: block), floats: latent)])
        guard let video = outputs.values.first, video.shape.count == 5, video.shape[0] == 1, video.shape[1] == 3,
              video.shape[3] >= height, video.shape[4] >= width
        else {
            throw OnnxError(
                code: "onnx_tensor_mismatch",
                message: "\(session.path): the decoder must give [1, 3, frames, ≥\(height), ≥\(width)], got \(outputs.values.first?.shape ?? [])"
            )
        }
        let (frames, rows, columns) = (video.shape[2], video.shape[3], video.shape[4])
        let values = video.floats
        let first = block.firstFrame * LatentGeometry.temporalFactor
        let plane = rows * columns
        for local in 0..<frames where first + local < frameCount {
            var bytes = [UInt8](repeating: 0, count: width * height * 3)
            for channel in 0..<3 {
                let base = (channel * frames + local) * plane
                for y in 0..<height {
                    let row = base + y * columns
                    let out = y * width * 3 + channel
                    for x in 0..<width {
                        let v = (values[row + x] + 1) * 127.5
                        bytes[out + x * 3] = UInt8(max(0, min(255, v.rounded())))
                    }
                }
            }
            pending.append(RGBFrame(width: width, height: height, bytes: bytes))
        }
    }

    mutating func decodeAvailable(limit: Int) -> [RGBFrame] {
        let taken = Array(pending.prefix(limit))
        pending.removeFirst(taken.count)
        nextFrame += taken.count
        return taken
    }
}
