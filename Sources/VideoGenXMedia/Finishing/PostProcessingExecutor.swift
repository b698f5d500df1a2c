import Foundation
import VideoGenXCore

/// Runs a ``PostProcessingPlan`` in one ffmpeg pass fed by streamed frames: resolves the font
/// when there is text, writes the plan's files into the work directory, then encodes with the
/// frames from `produce` going down the pipe. Nothing of the whole video is held or written
/// in between.
public struct PostProcessingExecutor: Sendable {
    /// The encoder (its executable; codec settings come from the spec).
    public var encoder: FFmpegEncoder
    /// Finds the font family for subtitle and watermark text.
    public var fonts: FontResolver

    /// Creates an executor.
    public init(encoder: FFmpegEncoder = FFmpegEncoder(), fonts: FontResolver = FontResolver()) {
        self.encoder = encoder
        self.fonts = fonts
    }

    /// What a finished encode used and made.
    public struct Outcome: Sendable, Hashable {
        /// The encoder's summary.
        public var summary: EncodeSummary
        /// The font family text was drawn with, when there was text.
        public var fontFamily: String?
        /// Whether the output has an audio stream.
        public var hasAudio: Bool
    }

    /// Plans and runs the post-processing of `spec` for frames of `format`.
    ///
    /// - Parameters:
    ///   - workDirectory: an existing directory, private to this job, holding the fetched
    ///     assets named in `assets`; ffmpeg runs there.
    ///   - assets: file names of the fetched watermark image and music (the font is resolved here).
    ///   - path: the output MP4.
    ///   - produce: writes the frames.
    /// - Throws: ``MediaError`` from fontconfig or ffmpeg; whatever `produce` throws.
    public func run(
        _ spec: GenerationSpec, format: VideoFormat, workDirectory: String, assets: PostProcessingPlan.Assets, to path: String,
        frames produce: (FrameWriter) async throws -> Void
    ) async throws -> Outcome {
        let plan = try await prepare(spec, format: format, workDirectory: workDirectory, assets: assets)
        let summary = try await encoder.encode(format: format, plan: plan, workingDirectory: workDirectory, to: path, frames: produce)
        return Outcome(summary: summary, fontFamily: plan.fontFamily, hasAudio: plan.hasAudio)
    }

    /// Resolves the font when there is text, plans, and writes the plan's files into
    /// `workDirectory`: everything ``run(_:format:workDirectory:assets:to:frames:)`` does before
    /// ffmpeg starts. The encoder benchmark runs ffmpeg alone on the plan it returns.
    /// - Throws: ``MediaError`` from fontconfig; a file-system error writing the files.
    public func prepare(
        _ spec: GenerationSpec, format: VideoFormat, workDirectory: String, assets: PostProcessingPlan.Assets
    ) async throws -> PostProcessingPlan {
        var assets = assets
        if PostProcessingPlan.drawsText(spec) {
            assets.fontFamily = try await fonts.family(for: spec.subtitle?.font)
        }
        let plan = PostProcessingPlan(spec: spec, format: format, assets: assets)
        for (name, contents) in plan.files {
            try Data(contents.utf8).write(to: URL(fileURLWithPath: workDirectory).appendingPathComponent(name))
        }
        return plan
    }
}
