import Foundation

/// The colours of a reference image on a coarse grid, read by ffmpeg (any format it decodes):
/// the image is area-averaged down to `columns × rows` pixels. Image-to-video conditioning of
/// the procedural model takes its palette and layout from this grid.
public struct ImagePalette: Sendable, Hashable {
    /// Grid width in cells.
    public static let columns = 4
    /// Grid height in cells.
    public static let rows = 4

    /// Cell colours, row-major from the top-left, each channel 0–1.
    public var cells: [SIMD3<Float>]

    /// Creates a palette from cells (row-major, ``columns`` × ``rows``).
    public init(cells: [SIMD3<Float>]) {
        self.cells = cells
    }

    /// Reads the image at `path`.
    ///
    /// - Throws: ``MediaError`` `toolFailed` when ffmpeg cannot decode it (not an image, corrupt).
    public static func read(_ path: String, ffmpeg: String = "ffmpeg") async throws -> ImagePalette {
        let raw = try await ToolLocator.collectBytes(ffmpeg, arguments: [
            "-hide_banner", "-loglevel", "error", "-i", path, "-frames:v", "1",
            "-vf", "scale=\(columns):\(rows):flags=area,format=rgb24", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ])
        guard raw.count >= columns * rows * 3 else {
            throw MediaError(code: .probeUnreadable, message: "the reference image could not be decoded")
        }
        let cells = (0..<(columns * rows)).map { index in
            SIMD3<Float>(Float(raw[index * 3]), Float(raw[index * 3 + 1]), Float(raw[index * 3 + 2])) / 255
        }
        return ImagePalette(cells: cells)
    }
}
