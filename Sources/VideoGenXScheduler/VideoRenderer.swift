import Foundation
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects

/// Turns one validated request into a finished MP4: fetches the assets the request names, the
/// model streams frames (conditioned on the reference image, if any), and the post-processing
/// executor pipes them through one ffmpeg pass (colour, subtitles, watermark, music, encode).
/// Used by `videogenx generate` and the worker.
public struct VideoRenderer: Sendable {
    /// The model to run; without ``models``, ``render(_:to:progress:)`` loads it on the CPU and
    /// releases it after.
    public var model: any VideoModel
    /// The warm model cache; when set, the model called ``modelName`` is taken from it
    /// (loaded once, kept warm) instead of being loaded for every render.
    public var models: ModelCache?
    /// The registry name of the model the cache is asked for; default ``model``'s name. The
    /// worker sets it to each task's model.
    public var modelName: String?
    /// The ffmpeg encoder (its executable; codec settings come from each request).
    public var encoder: FFmpegEncoder
    /// Fetches assets named by URL; `nil` refuses URLs (data URIs still work).
    public var fetcher: (any AssetFetcher)?
    /// Size caps for assets.
    public var assetLimits: AssetLimits
    /// Where object keys a request names are read from; `nil` refuses keys (one-shot runs).
    public var objects: (any ObjectStore)?

    /// Creates a renderer of `model` (the composition root picks it); by default no URL
    /// fetching and no object store.
    public init(
        model: any VideoModel, encoder: FFmpegEncoder = FFmpegEncoder(),
        fetcher: (any AssetFetcher)? = nil, assetLimits: AssetLimits = AssetLimits(), objects: (any ObjectStore)? = nil
    ) {
        self.model = model
        self.encoder = encoder
        self.fetcher = fetcher
        self.assetLimits = assetLimits
        self.objects = objects
    }

    /// Renders `spec` to `path`.
    ///
    /// - Parameters:
    ///   - spec: the validated request.
    ///   - path: output MP4 path (its directory must exist).
    ///   - progress: called after each sampler step and each encoded chunk.
    /// - Throws: ``AssetError`` for an asset that cannot be had, ``MediaError`` from ffmpeg,
    ///   ``ModelError`` from the model, `CancellationError`.
    public func render(
        _ spec: GenerationSpec, to path: String, progress: (RenderProgress) -> Void = { _ in }
    ) async throws -> RenderSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let workDirectory = URL(fileURLWithPath: path + ".work")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }
        let (job, assets) = try await prepare(spec, in: workDirectory)
        let model = try await acquireModel()
        let outcome: (result: PostProcessingExecutor.Outcome, modelTime: Duration)
        do {
            outcome = try await stream(
                job, model: model, spec: spec, assets: assets, workDirectory: workDirectory.path, to: path, progress: progress
            )
        } catch {
            await reportMemoryPressure(after: error)
            await done(with: model)
            throw error
        }
        await done(with: model)
        let total = clock.now - start
        let summary = outcome.result.summary
        return RenderSummary(
            path: summary.path, bytes: summary.bytes, frames: summary.framesWritten,
            seed: spec.seed, sampler: job.sampler.makeSampler(preferred: model.preferredSampler).name,
            totalSeconds: total.seconds, modelSeconds: outcome.modelTime.seconds,
            encoderWaitSeconds: (total - outcome.modelTime).seconds, fontFamily: outcome.result.fontFamily,
            hasAudio: outcome.result.hasAudio
        )
    }

    /// The model, from the warm cache when there is one, else loaded on the CPU; hand it back
    /// with ``done(with:)``.
    func acquireModel() async throws -> any VideoModel {
        if let models {
            return try await models.acquire(modelName ?? model.name)
        }
        try await model.load(on: .cpu)
        return model
    }

    /// Makes the request's assets local and builds the model job (conditioned on the reference).
    func prepare(_ spec: GenerationSpec, in directory: URL) async throws -> (GenerationJob, PostProcessingPlan.Assets) {
        let assets = JobAssets(directory: directory, fetcher: fetcher, objects: objects, limits: assetLimits)
        var job = GenerationJob(spec: spec)
        var planned = PostProcessingPlan.Assets()
        if let image = spec.image {
            let name = try await assets.fetch(image, kind: .image, field: "image", name: "reference")
            job.reference = try await Self.grid(of: directory.appendingPathComponent(name).path, field: "image", ffmpeg: encoder.executable)
        }
        if case .image(let image)? = spec.watermark?.content {
            let name = try await assets.fetch(image, kind: .image, field: "params.watermark.image", name: "watermark")
            _ = try await Self.grid(of: directory.appendingPathComponent(name).path, field: "params.watermark.image", ffmpeg: encoder.executable)
            planned.watermarkImage = name
        }
        if case .url(let url)? = spec.music?.source {
            planned.musicFile = try await assets.fetch(url, kind: .audio, field: "params.background_music.url", name: "music")
        }
        return (job, planned)
    }

    /// The colour grid of an image, which also proves ffmpeg can decode it.
    private static func grid(of path: String, field: String, ffmpeg: String) async throws -> ReferenceGrid {
        do {
            let palette = try await ImagePalette.read(path, ffmpeg: ffmpeg)
            return ReferenceGrid(columns: ImagePalette.columns, rows: ImagePalette.rows, cells: palette.cells)
        } catch let error as MediaError where error.code != .toolNotFound {
            throw AssetError(code: .unreadable, field: field, message: "is not an image ffmpeg can decode")
        }
    }

    /// After an out-of-memory error of the model, tells the cache, which loads its next
    /// precision variant for the retry (per the store's contract), if it has one.
    func reportMemoryPressure(after error: any Error) async {
        if let models, let failure = error as? ModelError, failure.code == ModelError.outOfMemory {
            await models.reportPressure(modelName ?? model.name)
        }
    }

    /// Hands `model` back to the cache, or releases it when there is none.
    func done(with model: any VideoModel) async {
        if let models {
            await models.release(model.name)
        } else {
            await model.release()
        }
    }

    /// Streams the model's frames of `job` through the post-processing executor; returns its
    /// outcome and the time spent in the model (generation time less time blocked on the pipe).
    private func stream(
        _ job: GenerationJob, model: any VideoModel, spec: GenerationSpec, assets: PostProcessingPlan.Assets, workDirectory: String, to path: String,
        progress: (RenderProgress) -> Void
    ) async throws -> (result: PostProcessingExecutor.Outcome, modelTime: Duration) {
        let clock = ContinuousClock()
        let format = VideoFormat(width: job.width, height: job.height, fps: job.fps)
        let executor = PostProcessingExecutor(encoder: encoder)
        var state = RenderProgress(step: 0, steps: job.steps, window: 0, windowCount: 1, framesEncoded: 0, totalFrames: job.frameCount)
        var blocked = Duration.zero
        var generating = Duration.zero
        let result = try await executor.run(spec, format: format, workDirectory: workDirectory, assets: assets, to: path) { writer in
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
        return (result, generating - blocked)
    }
}
