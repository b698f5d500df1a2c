/// The procedural model on the shared windowed stepper: its window denoiser is the analytic
/// ``ProceduralDenoiser`` over the scene's clean latent, its decoder the ``LatentDecoder``.
extension ProceduralModel: WindowedLatentModel {
    /// Checks the job (and that the model is loaded); nothing to prepare per job.
    public func prepare(_ job: GenerationJob) throws {
        guard isLoaded else {
            throw ModelError(code: "model_not_loaded", message: "load the procedural model on a device before generating")
        }
        try Self.check(job)
    }

    /// The analytic denoiser of the window's clean latent.
    public func denoiser(for job: GenerationJob, latentFrames: Range<Int>, context: Void) -> ProceduralDenoiser {
        let geometry = job.latentGeometry
        return ProceduralDenoiser(clean: cleanLatent(for: job, latentFrames: latentFrames), valid: (geometry.height, geometry.width))
    }

    /// The procedural latent decoder of the job.
    public func decoder(for job: GenerationJob, context: Void) -> LatentDecoder {
        LatentDecoder(width: job.width, height: job.height, frameCount: job.frameCount, style: job.style, seed: job.seed)
    }

    /// ``Configuration/chunkFrames``.
    public var chunkFrames: Int { configuration.chunkFrames }
}
