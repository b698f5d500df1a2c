import Foundation
import Subprocess
import VideoGenXCore

/// Decodes the first frame of a video back to RGB with ffmpeg, for pixel assertions.
enum FirstFrame {
    static func decode(_ path: String, width: Int, height: Int) async throws -> RGBFrame {
        let result = try await run(
            .name("ffmpeg"),
            arguments: ["-v", "error", "-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
            output: .bytes(limit: width * height * 3 + 1)
        )
        return RGBFrame(width: width, height: height, bytes: result.standardOutput)
    }
}
