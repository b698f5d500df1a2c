import Foundation
import VideoGenXInference

/// A window's denoiser on the model's denoiser graph: the latent is scaled to unit variance
/// (`x / √(σ² + 1)`), σ becomes the training timestep it lies at (log-σ interpolation), and the
/// network's ε (or v) prediction becomes the clean latent the sampling loop asks for. Both
/// guidance branches run as one batch of two.
struct OnnxDenoiser: Denoiser, Sendable {
    let session: OnnxSession
    let text: TextConditioning
    let schedule: NoiseSchedule
    let prediction: OnnxVideoModel.Prediction

    func predictClean(_ noisy: LatentBlock, sigma: Float, branch: GuidanceBranch, into prediction: inout LatentBlock) throws {
        let embeddings = branch == .conditional ? text.conditional : text.unconditional
        let output = try run(noisy, sigma: sigma, batch: 1, text: embeddings)
        clean(from: output, item: 0, noisy: noisy, sigma: sigma, into: &prediction)
    }

    func predictBoth(_ noisy: LatentBlock, sigma: Float, conditional: inout LatentBlock, unconditional: inout LatentBlock) throws {
        let output = try run(noisy, sigma: sigma, batch: 2, text: text.conditional + text.unconditional)
        clean(from: output, item: 0, noisy: noisy, sigma: sigma, into: &conditional)
        clean(from: output, item: 1, noisy: noisy, sigma: sigma, into: &unconditional)
    }

    /// The network's raw output for `batch` copies of `noisy`, one per text in `text`.
    private func run(_ noisy: LatentBlock, sigma: Float, batch: Int, text: [Float]) throws -> [Float] {
        let scale = 1 / (sigma * sigma + 1).squareRoot()
        var scaled = noisy
        for i in scaled.values.indices {
            scaled.values[i] *= scale
        }
        var sample: [Float] = []
        sample.reserveCapacity(noisy.values.count * batch)
        for _ in 0..<batch {
            LatentLayout.appendChannelMajor(scaled, to: &sample)
        }
        let timestep = Self.timestep(for: sigma, in: schedule)
        let outputs = try session.run([
            "sample": OnnxTensor(shape: LatentLayout.shape(of: noisy, batch: batch), floats: sample),
            "timestep": OnnxTensor(shape: [batch], floats: Array(repeating: timestep, count: batch)),
            "encoder_hidden_states": OnnxTensor(shape: [batch, self.text.length, self.text.width], floats: text),
        ])
        guard let output = outputs.values.first?.floats, output.count == sample.count else {
            throw OnnxError(code: "onnx_tensor_mismatch", message: "\(session.path): the denoiser's output is not shaped like its sample")
        }
        return output
    }

    /// The clean latent of batch item `item`: `x − σ·ε` for ε-prediction, `x/(σ²+1) − v·σ/√(σ²+1)` for v.
    private func clean(from output: [Float], item: Int, noisy: LatentBlock, sigma: Float, into result: inout LatentBlock) {
        LatentLayout.readChannelMajor(output, item: item, into: &result)
        switch prediction {
        case .epsilon:
            for i in result.values.indices {
                result.values[i] = noisy.values[i] - sigma * result.values[i]
            }
        case .vPrediction:
            let skip = 1 / (sigma * sigma + 1)
            let out = sigma / (sigma * sigma + 1).squareRoot()
            for i in result.values.indices {
                result.values[i] = noisy.values[i] * skip - result.values[i] * out
            }
        }
    }

    /// The (fractional) training timestep whose σ is `sigma`, interpolated in log σ.
    static func timestep(for sigma: Float, in schedule: NoiseSchedule) -> Float {
        let sigmas = schedule.trainingSigmas
        guard sigma > sigmas[0] else { return 0 }
        guard sigma < sigmas[sigmas.count - 1] else { return Float(sigmas.count - 1) }
        var low = 0
        var high = sigmas.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if sigmas[mid] <= sigma { low = mid } else { high = mid }
        }
        let fraction = (log(sigma) - log(sigmas[low])) / (log(sigmas[high]) - log(sigmas[low]))
        return Float(low) + fraction
    }
}

/// A job's text conditioning: the prompt's and the empty prompt's embeddings, `length × width` each.
struct TextConditioning: Sendable {
    var conditional: [Float]
    var unconditional: [Float]
    var length: Int
    var width: Int
}
