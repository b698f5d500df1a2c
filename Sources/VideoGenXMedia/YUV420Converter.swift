import CVideoGenXMedia
import Dispatch
import VideoGenXCore

/// Converts ``RGBFrame``s to planar `yuv420p` with the BT.709 matrix in limited ("TV") range —
/// what the encoder feeds ffmpeg, so ffmpeg's single-threaded RGB conversion leaves its path
/// (DESIGN §7). Rows are split over all cores. Luma is per pixel; each chroma sample is the
/// mean of its 2×2 block (centre-sited), computed from the block's summed RGB. Integer
/// arithmetic with 16 fractional bits; the result matches ffmpeg's own conversion
/// (`scale=out_color_matrix=bt709:out_range=tv`) within ±1 per sample on smooth content (tested).
/// The per-row loop is C (`CVideoGenXMedia`), vectorised and cloned for AVX2.
public struct YUV420Converter: Sendable {
    /// Rows of chroma handed to one core at a time.
    private static let chromaRowsPerChunk = 16

    /// Whether the AVX2 loop may run (tests turn it off to compare it with the portable one).
    let vectorised: Bool

    /// Creates a converter.
    public init() {
        self.init(vectorised: true)
    }

    /// A converter that may use the vector loop or not.
    init(vectorised: Bool) {
        self.vectorised = vectorised
    }

    /// Bytes of a `yuv420p` frame: a full luma plane and two chroma planes of half size (rounded up).
    public static func byteCount(width: Int, height: Int) -> Int {
        width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2)
    }

    /// `frame` as `yuv420p` bytes: Y plane, then U (Cb), then V (Cr).
    public func convert(_ frame: RGBFrame) -> [UInt8] {
        let count = Self.byteCount(width: frame.width, height: frame.height)
        return [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            write(frame, to: output.baseAddress!)
            initialized = count
        }
    }

    /// Writes `frame` as `yuv420p` over the bytes of `buffer` (a frame's worth, as ``convert(_:)``
    /// returns), so a frame's memory can serve the next one; a buffer of another size is replaced.
    public func convert(_ frame: RGBFrame, into buffer: inout [UInt8]) {
        guard buffer.count == Self.byteCount(width: frame.width, height: frame.height) else {
            buffer = convert(frame)
            return
        }
        buffer.withUnsafeMutableBufferPointer { write(frame, to: $0.baseAddress!) }
    }

    /// The conversion, rows split over all cores, into a frame's worth of bytes at `output`.
    private func write(_ frame: RGBFrame, to output: UnsafeMutablePointer<UInt8>) {
        let width = frame.width
        let height = frame.height
        let chromaHeight = (height + 1) / 2
        let lumaCount = width * height
        let chromaCount = ((width + 1) / 2) * chromaHeight
        frame.bytes.withUnsafeBufferPointer { rgb in
            let chunks = (chromaHeight + Self.chromaRowsPerChunk - 1) / Self.chromaRowsPerChunk
            let source = UnsafeSendable(rgb.baseAddress!)
            let target = UnsafeSendable(output)
            let vectorised: Int32 = vectorised ? 1 : 0
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let first = chunk * Self.chromaRowsPerChunk
                let last = min(chromaHeight, first + Self.chromaRowsPerChunk)
                vgx_rgb24_to_yuv420p_rows_using(
                    source.pointer, width, height, target.pointer, target.pointer + lumaCount, target.pointer + lumaCount + chromaCount,
                    first, last, vectorised
                )
            }
        }
    }
}

/// A pointer handed to the cores of one conversion: each writes only its own rows.
private struct UnsafeSendable<Pointee>: @unchecked Sendable {
    let pointer: Pointee
    init(_ pointer: Pointee) { self.pointer = pointer }
}
