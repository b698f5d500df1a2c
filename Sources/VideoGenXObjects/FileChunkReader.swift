import Foundation
import Synchronization

/// Reads a file's bytes chunk by chunk up to a count, closing the file at the end: how the
/// folder store streams a read and the S3 store streams an upload, never the whole file in memory.
public final class FileChunkReader: Sendable {
    private let handle: FileHandle
    private let chunkSize: Int
    private let remainingBytes: Mutex<Int>

    /// A reader of the next `remaining` bytes of `handle` (positioned by the caller), in chunks
    /// of at most `chunkSize` bytes (default ``FileObjectStore/chunkSize``).
    public init(handle: FileHandle, remaining: Int, chunkSize: Int = FileObjectStore.chunkSize) {
        self.handle = handle
        self.chunkSize = chunkSize
        remainingBytes = Mutex(remaining)
    }

    /// Bytes not read yet; above 0 after ``next()`` returned `nil`, the file was shorter than asked.
    public var remaining: Int { remainingBytes.withLock { $0 } }

    /// The next chunk, or `nil` (and the file closed) at the count or the end of the file.
    public func next() throws -> [UInt8]? {
        let want = remainingBytes.withLock { min($0, chunkSize) }
        guard want > 0 else {
            try? handle.close()
            return nil
        }
        let data = try handle.read(upToCount: want) ?? Data()
        if data.isEmpty {
            try? handle.close()
            return nil
        }
        remainingBytes.withLock { $0 -= data.count }
        return [UInt8](data)
    }
}
