/// Stand-in assets made by ffmpeg's own sources, for benchmarks and tests: the `testsrc2` pattern
/// as a PNG (watermark, reference image) and a sine tone as WAV (music). Nothing is copied.
public enum TestPattern {
    /// Writes a `width`×`height` PNG of the pattern to `path`.
    /// - Throws: ``MediaError`` when ffmpeg is missing or fails.
    public static func writePNG(to path: String, width: Int, height: Int, ffmpeg: String = "ffmpeg") async throws {
        _ = try await ToolLocator.collect(ffmpeg, arguments: [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=\(width)x\(height)", "-frames:v", "1", "-c:v", "png", "-f", "image2", "-update", "1", path,
        ])
    }

    /// Writes `seconds` of a `frequency` Hz sine tone as a WAV file to `path`.
    /// - Throws: ``MediaError`` when ffmpeg is missing or fails.
    public static func writeTone(to path: String, seconds: Double, frequency: Int = 440, ffmpeg: String = "ffmpeg") async throws {
        _ = try await ToolLocator.collect(ffmpeg, arguments: [
            "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=f=\(frequency):d=\(seconds)", "-f", "wav", path,
        ])
    }
}
