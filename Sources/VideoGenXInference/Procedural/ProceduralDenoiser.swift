/// The analytic denoiser of the procedural reference model.
///
/// It knows the clean latent `x₀` the scene renderer made and predicts what a well-trained
/// network would: the posterior mean of `x₀` under a Gaussian prior, with coarse-to-fine detail.
/// At noise level σ it predicts `T(σ) + g(σ)·(x − T(σ))`, where
/// - `T(σ) = m + d(σ)·(x₀ − m)` blends each frame's mean colour `m` toward full detail as σ falls
///   (`d = 1 / (1 + (σ/σ_d)²)`): structure first, detail last, as real models behave;
/// - `g(σ) = s² / (s² + σ²)` keeps a little of the noise as texture (prior width `s`).
/// Few steps therefore leave the video blurrier and noisier; more steps converge on `x₀`.
/// The unconditional branch knows less: its `x₀` is pulled toward grey by
/// ``unconditionalPull``, so guidance pushes colours away from grey.
public struct ProceduralDenoiser: Denoiser, Sendable {
    /// Prior width `s`: noise that survives as texture.
    static let textureSigma: Float = 0.05
    /// Noise level `σ_d` at which half the detail is resolved.
    static let detailSigma: Float = 0.5
    /// How far the unconditional branch's clean latent is pulled toward grey (0 = not at all).
    static let unconditionalPull: Float = 0.05

    /// The conditional clean latent of the window being sampled.
    let clean: LatentBlock
    /// Mean of each channel of each frame of `clean`, `[frame × channels + channel]`.
    let frameMeans: [Float]

    /// A denoiser for the window whose clean latent is `clean`. With `valid` (pad-crop), only
    /// the top-left `height × width` of each plane is the video's: frame means are taken over it,
    /// so the padded canvas predicts exactly what the video's own canvas would.
    init(clean: LatentBlock, valid: (height: Int, width: Int)? = nil) {
        self.clean = clean
        let rows = min(valid?.height ?? clean.height, clean.height)
        let columns = min(valid?.width ?? clean.width, clean.width)
        var means: [Float] = []
        let plane = clean.planeSize
        for f in 0..<clean.frameCount {
            for c in 0..<LatentBlock.channels {
                let start = f * clean.valuesPerFrame + c * plane
                var sum: Float = 0
                for y in 0..<rows {
                    let row = start + y * clean.width
                    for i in row..<(row + columns) {
                        sum += clean.values[i]
                    }
                }
                means.append(sum / Float(max(rows * columns, 1)))
            }
        }
        frameMeans = means
    }

    /// The clean latent the guided sampler converges to: `x₀ᵤ + w·(x₀ − x₀ᵤ)`.
    static func guidedTarget(clean: LatentBlock, guidanceScale w: Float) -> LatentBlock {
        var target = clean
        let scale = (1 - unconditionalPull) + w * unconditionalPull
        for i in target.values.indices {
            target.values[i] *= scale
        }
        return target
    }

    /// The posterior-mean prediction described on the type.
    public func predictClean(_ noisy: LatentBlock, sigma: Float, branch: GuidanceBranch, into prediction: inout LatentBlock) {
        let s2 = Self.textureSigma * Self.textureSigma
        let keepNoise = s2 / (s2 + sigma * sigma)
        let ratio = sigma / Self.detailSigma
        let detail = 1 / (1 + ratio * ratio)
        let scale: Float = branch == .conditional ? 1 : 1 - Self.unconditionalPull
        let plane = clean.planeSize
        prediction.values.withUnsafeMutableBufferPointer { out in
            noisy.values.withUnsafeBufferPointer { x in
                clean.values.withUnsafeBufferPointer { x0 in
                    for fc in 0..<(clean.frameCount * LatentBlock.channels) {
                        let mean = frameMeans[fc] * scale
                        let start = fc * plane
                        for i in start..<(start + plane) {
                            let target = mean + detail * (x0[i] * scale - mean)
                            out[i] = target + keepNoise * (x[i] - target)
                        }
                    }
                }
            }
        }
    }
}
