import AsyncHTTPClient
import Foundation
import NIOCore

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
    /// - Throws: ``VideoGenXObjects/ObjectStoreError`` when it cannot be read.
    static func size(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.size] as? Int) ?? 0
    }

    /// The slice's bytes, in chunks of at most ``chunkSize``, read as they are asked for.
    func chunks() -> AsyncThrowingStream<ByteBuffer, any Error> {
        let reader = Reader(url: url, offset: offset, remaining: count)
        return AsyncThrowingStream { try reader.next() }
    }

    /// The whole slice in memory (a part of a multipart upload, at most a part's size).
    func bytes() throws -> [UInt8] {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: count) ?? Data()
        guard data.count == count else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "the file changed while it was uploaded"])
        }
        return Array(data)
    }

    /// Reads the slice front to back. Only the stream's single consumer calls ``next()``, one
    /// call at a time (AsyncThrowingStream's unfolding contract), so the mutable state is never
    /// touched concurrently.
    private final class Reader: @unchecked Sendable {
        private var handle: FileHandle?
        private let url: URL
        private let offset: Int
        private var remaining: Int

        init(url: URL, offset: Int, remaining: Int) {
            self.url = url
            self.offset = offset
            self.remaining = remaining
        }

        func next() throws -> ByteBuffer? {
            guard remaining > 0 else {
                try? handle?.close()
                return nil
            }
            if handle == nil {
                let opened = try FileHandle(forReadingFrom: url)
                try opened.seek(toOffset: UInt64(offset))
                handle = opened
            }
            let data = try handle?.read(upToCount: min(FileSlice.chunkSize, remaining)) ?? Data()
            guard !data.isEmpty else {
                throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "the file ended early"])
            }
            remaining -= data.count
            return ByteBuffer(bytes: data)
        }
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
