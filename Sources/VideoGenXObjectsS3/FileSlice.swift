import AsyncHTTPClient
import Foundation
import NIOCore
import VideoGenXObjects

/// A byte range of a local file, read in chunks as an upload's body: a video goes up without
/// ever being whole in memory.
struct FileSlice: Sendable {
    /// The file.
    var url: URL
    /// First byte.
    var offset: Int
    /// Bytes in the slice.
    var count: Int

    /// Bytes read per chunk.
    static let chunkSize = 1 << 20

    /// The size of the file at `url`.
    /// - Throws: the file system's error when it cannot be read.
    static func size(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? Int) ?? 0
    }

    /// The slice's bytes, in chunks of at most ``chunkSize``, read as they are asked for.
    /// - Throws: when the file cannot be opened; the stream throws when the file ends before the
    ///   slice does (it shrank after it was measured).
    func chunks() throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        let handle = try FileHandle(forReadingFrom: url)
        try handle.seek(toOffset: UInt64(offset))
        let reader = FileChunkReader(handle: handle, remaining: count, chunkSize: Self.chunkSize)
        let path = url.path
        return AsyncThrowingStream {
            guard let chunk = try reader.next() else {
                guard reader.remaining == 0 else {
                    throw Self.shrank(path)
                }
                return nil
            }
            return ByteBuffer(bytes: chunk)
        }
    }

    /// The error of a file that ends before the slice does: it shrank after it was measured.
    private static func shrank(_ path: String) -> CocoaError {
        CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "the file ended before the upload did: it changed while it was uploaded"])
    }

    /// The whole slice in memory (a part of a multipart upload, at most a part's size).
    func bytes() throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else {
            throw Self.shrank(url.path)
        }
        return Array(data)
    }
}

/// An HTTP response body as the ``VideoGenXObjects/ObjectRead`` stream of byte arrays.
struct ResponseChunks: Sendable {
    let body: HTTPClientResponse.Body

    init(_ body: HTTPClientResponse.Body) {
        self.body = body
    }

    /// The body's buffers as arrays, in order.
    func stream() -> AsyncThrowingStream<[UInt8], any Error> {
        let iterator = Iterator(body.makeAsyncIterator())
        return AsyncThrowingStream { try await iterator.next() }
    }

    /// The body's iterator. Only the stream's single consumer calls ``next()``, one call at a
    /// time (AsyncThrowingStream's unfolding contract), so it is never used concurrently.
    private final class Iterator: @unchecked Sendable {
        private var base: HTTPClientResponse.Body.AsyncIterator

        init(_ base: HTTPClientResponse.Body.AsyncIterator) {
            self.base = base
        }

        func next() async throws -> [UInt8]? {
            try await base.next().map { Array(buffer: $0) }
        }
    }
}
