import CompressNIO
import Foundation
import NIOCore

/// Gzip decompression of a whole file's bytes (compress-nio over the system zlib).
enum Gzip {
    /// The decompressed bytes of `data`.
    /// - Throws: compress-nio's error for data that is not gzip.
    static func decompress(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(bytes: data)
        let output = try buffer.decompress(with: .gzip(), maxSize: 64 << 20)
        return Data(output.readableBytesView)
    }
}
