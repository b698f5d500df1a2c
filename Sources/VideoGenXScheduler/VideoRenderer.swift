import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia

/// Turns one validated request into an MP4: the model streams frames, the encoder pipes them
/// into ffmpeg as they come. Used by `videogenx generate`; the worker will run the same path.
public struct VideoRenderer: Sendable {
    /// The model to run; ``render(_:to:progress:)`` loads it on the CPU and releases it after.
    public var model: any VideoModel
    /// The ffmpeg encoder; its colour settings are taken from each request.
    public var encoder: FFmpegEncoder

    /// Creates a renderer; defaults to the built-in procedural model and H.265.
    public init(model: any VideoModel = ProceduralModel(), encoder: FFmpegEncoder = FFmpegEncoder()) {
        self.model = model
        self.encoder = encoder
    }

    /// Renders `spec` to `path`.
    ///
    /// - Parameters:
    ///   - spec: the validated request.
    ///   - path: output MP4 path (its directory must exist).
    ///   - progress: called after each sampler step and each encoded chunk.
    /// - Throws: ``MediaError`` from ffmpeg, ``ModelError`` from the model, `CancellationError`.
    public func render(
        _ spec: GenerationSpec, to path: String, progress: (RenderProgress) -> Void = { _ in }
    ) async throws -> RenderSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let job = GenerationJob(spec: spec)
        var encoder = self.encoder
        encoder.settings.contrast = spec.contrast
        encoder.settings.saturation = spec.saturation
        try await model.load(on: .cpu)
        let outcome: (summary: EncodeSummary, modelTime: Duration)
        do {
            outcome = try await stream(job, through: encoder, to: path, progress: progress)
        } catch {
            await model.release()
            throw error
        }
        await model.release()
        let total = clock.now - start
        return RenderSummary(
            path: outcome.summary.path, bytes: outcome.summary.bytes, frames: outcome.summary.framesWritten,
            seed: spec.seed, sampler: job.sampler.makeSampler(preferred: model.preferredSampler).name,
            totalSeconds: total.seconds, modelSeconds: outcome.modelTime.seconds,
            encoderWaitSeconds: (total - outcome.modelTime).seconds
        )
    }

    /// Streams the model's frames of `job` into `encoder`; returns the encode summary and the
    /// time spent in the model (generation time less time blocked on the encoder's pipe).
    private func stream(
        _ job: GenerationJob, through encoder: FFmpegEncoder, to path: String, progress: (RenderProgress) -> Void
    ) async throws -> (summary: EncodeSummary, modelTime: Duration) {
        let clock = ContinuousClock()
        let format = VideoFormat(width: job.width, height: job.height, fps: job.fps)
        var state = RenderProgress(step: 0, steps: job.steps, window: 0, windowCount: 1, framesEncoded: 0, totalFrames: job.frameCount)
        var blocked = Duration.zero
        var generating = Duration.zero
        let summary = try await encoder.encode(format: format, to: path) { writer in
            let generateStart = clock.now
            try await model.generate([job], progress: { report in
                state.step = report.step
                state.steps = report.steps
                state.window = report.window
                state.windowCount = report.windowCount
                progress(state)
            }, frames: { chunk in
                let before = clock.now
                for frame in chunk.frames {
                    try await writer.write(frame)
                }
                blocked += clock.now - before
                state.framesEncoded = writer.framesWritten
                progress(state)
            })
            generating = clock.now - generateStart
        }
        return (summary, generating - blocked)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
