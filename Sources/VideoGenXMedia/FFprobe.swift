import Foundation
import Subprocess

/// Reads a media file's streams with `ffprobe` (counting frames by decoding), for tests and for
/// verifying outputs before they are published.
public struct FFprobe: Sendable {
    /// The ffprobe executable: a name on `PATH` (default `ffprobe`) or a path.
    public var executable: String

    /// Creates a prober.
    public init(executable: String = "ffprobe") {
        self.executable = executable
    }

    /// Probes the file at `path`.
    ///
    /// - Throws: ``MediaError`` when ffprobe is missing, fails on the file, or prints
    ///   something that is not its JSON.
    public func probe(_ path: String) async throws -> ProbeResult {
        let arguments = [
            "-v", "error", "-count_frames", "-print_format", "json", "-show_format", "-show_streams", path,
        ]
        let output = try await ToolLocator.collect(executable, arguments: arguments)
        do {
            return try ProbeResult(json: Data(output.utf8))
        } catch {
            throw MediaError(code: .probeUnreadable, message: "could not read ffprobe's output for \(path): \(error)")
        }
    }
}
