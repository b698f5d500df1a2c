import Crypto
import Hummingbird
import NIOCore
import VideoGenXCore

/// A request body read once, with its SHA-256 computed chunk by chunk as it arrives — the hash
/// the request signature covers — so verifying a signature needs no second pass over up to
/// 12 MiB of body.
struct HashedBody {
    /// The whole body.
    var buffer: ByteBuffer
    /// Lowercase hex SHA-256 of ``buffer``.
    var sha256Hex: String

    /// Reads `request`'s body (at most `maxSize` bytes) and puts it back on the request as one
    /// buffer for the handlers after it.
    /// - Throws: `NIOTooManyBytesError` (answered `413 body_too_large`) past `maxSize`.
    static func read(_ request: inout Request, upTo maxSize: Int) async throws -> HashedBody {
        var hasher = SHA256()
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= maxSize else { throw NIOTooManyBytesError(maxBytes: maxSize) }
            chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
            buffer.writeImmutableBuffer(chunk)
        }
        request.body = .init(buffer: buffer)
        return HashedBody(buffer: buffer, sha256Hex: Array(hasher.finalize()).hex)
    }
}
