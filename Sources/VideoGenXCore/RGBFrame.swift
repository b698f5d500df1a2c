/// One video frame as packed 8-bit RGB (`rgb24`): `width × height × 3` bytes, row-major,
/// no padding. This is what models emit and what the encoder pipes into ffmpeg.
public struct RGBFrame: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width × height × 3` bytes, R, G, B per pixel.
    public var bytes: [UInt8]

    /// A black frame of the given size.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        self.bytes = [UInt8](repeating: 0, count: width * height * 3)
    }

    /// Wraps existing pixel bytes; `bytes.count` must be `width × height × 3`.
    public init(width: Int, height: Int, bytes: [UInt8]) {
        precondition(bytes.count == width * height * 3, "RGBFrame: byte count does not match \(width)x\(height)")
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    /// Size of one frame in bytes for a given resolution.
    public static func byteCount(width: Int, height: Int) -> Int { width * height * 3 }

    /// Mean absolute difference per byte against another frame of the same size (0–255).
    public func meanAbsoluteDifference(to other: RGBFrame) -> Double {
        precondition(width == other.width && height == other.height, "frames differ in size")
        var total = 0
        for i in bytes.indices {
            total += abs(Int(bytes[i]) - Int(other.bytes[i]))
        }
        return Double(total) / Double(max(bytes.count, 1))
    }
}
