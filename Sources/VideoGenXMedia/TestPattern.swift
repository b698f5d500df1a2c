/// ffmpeg's `testsrc2` pattern written as a PNG: a stand-in image (watermark, reference) for
/// benchmarks and tests, made by the project rather than copied from anywhere.
public enum TestPattern {
    /// Writes a `width`×`height` PNG of the pattern to `path`.
    /// - Throws: ``MediaError`` when ffmpeg is missing or fails.
    public static func writePNG(to path: String, width: Int, height: Int, ffmpeg: String = "ffmpeg") async throws {
        _ = try await ToolLocator.collect(ffmpeg, arguments: [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=\(width)x\(height)", "-frames:v", "1", "-c:v", "png", "-f", "image2", "-update", "1", path,
        ])
    }
}
