import Foundation

/// Makes the WebP thumbnail that comes with every video (DESIGN §7): the frame in the middle of
/// the video, scaled to at most `maxWidth` pixels wide, encoded with libwebp by ffmpeg.
public struct Thumbnailer: Sendable {
    /// The ffmpeg executable. Default `ffmpeg` on `PATH`.
    public var executable: String
    /// Largest thumbnail width in pixels (height keeps the aspect ratio). Default 480.
    public var maxWidth: Int
    /// WebP quality 0–100. Default 80.
    public var quality: Int

    /// Creates a thumbnailer; defaults as documented on each property.
    public init(executable: String = "ffmpeg", maxWidth: Int = 480, quality: Int = 80) {
        self.executable = executable
        self.maxWidth = maxWidth
        self.quality = quality
    }

    /// Writes the thumbnail of the video at `video` (whose length is `duration` seconds) to `path`.
    /// - Throws: ``MediaError`` when ffmpeg is missing or fails.
    public func thumbnail(of video: String, duration: Double, to path: String) async throws {
        let middle = String(format: "%.3f", max(0, duration / 2))
        _ = try await ToolLocator.collect(executable, arguments: [
            "-hide_banner", "-loglevel", "error", "-y", "-ss", middle, "-i", video, "-frames:v", "1",
            "-vf", "scale='min(\(maxWidth),iw)':-2", "-c:v", "libwebp", "-quality", String(quality), "-f", "webp", path,
        ])
    }
}
