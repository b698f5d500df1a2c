import Foundation

/// Where finished videos, thumbnails and checkpoints live (DESIGN §8): a local folder in embedded
/// mode, an S3-compatible bucket in cluster mode. Both pass the same contract suite.
public protocol ObjectStore: Sendable {
    /// Stores the file at `source` under `key`, replacing any object there; readers see either
    /// the old or the new object, never a partial one.
    func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo

    /// Stores the bytes `chunks` yields under `key`, atomically as ``put(_:fromFile:contentType:)``.
    func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
    where Chunks.Element == [UInt8]

    /// Size, type and time of the object under `key`, or `nil`.
    func head(_ key: ObjectKey) async throws -> ObjectInfo?

    /// The bytes of `range` (all when `nil`) of the object under `key`, streamed in chunks.
    /// - Throws: ``ObjectStoreError`` `notFound`, or `invalidRange` when the range does not
    ///   overlap the object.
    func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead

    /// Removes the object under `key`; removing a missing object is not an error.
    func delete(_ key: ObjectKey) async throws

    /// The objects whose keys start with `prefix` (text, not only whole segments), in key order,
    /// with key, size and time (content types may be empty: S3's listing carries none).
    func list(prefix: String) async throws -> [ObjectInfo]

    /// A URL that lets anyone holding it GET the object until `expiresIn` seconds from now
    /// (the platform's default is 1,800 s). Whether the object exists is not checked.
    func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL

    /// Whether ``presignedGet(_:expiresIn:)`` URLs lead away from the API (to a bucket or a CDN):
    /// then `GET …/content` redirects to one instead of streaming the bytes through the API.
    var servesDownloadsDirectly: Bool { get }
}

/// What a store knows about an object.
public struct ObjectInfo: Sendable, Hashable {
    /// The key.
    public var key: ObjectKey
    /// Size in bytes.
    public var size: Int
    /// MIME type given at `put`.
    public var contentType: String
    /// When it was stored.
    public var modified: Date

    /// Creates an info.
    public init(key: ObjectKey, size: Int, contentType: String, modified: Date) {
        self.key = key
        self.size = size
        self.contentType = contentType
        self.modified = modified
    }
}

/// A byte range as HTTP `Range: bytes=` expresses it.
public enum ByteRange: Sendable, Hashable {
    /// `first-last`, inclusive; `last` past the end is clamped.
    case closed(first: Int, last: Int)
    /// `first-`: from `first` to the end.
    case from(Int)
    /// `-count`: the last `count` bytes.
    case suffix(Int)

    /// The concrete bytes of an object of `size`, or `nil` when the range does not overlap it.
    public func resolved(size: Int) -> ClosedRange<Int>? {
        guard size > 0 else { return nil }
        switch self {
        case .closed(let first, let last):
            guard first >= 0, first <= last, first < size else { return nil }
            return first...min(last, size - 1)
        case .from(let first):
            guard first >= 0, first < size else { return nil }
            return first...(size - 1)
        case .suffix(let count):
            guard count > 0 else { return nil }
            return max(0, size - count)...(size - 1)
        }
    }
}

/// An object being read: its info, the bytes served and the chunks that carry them.
public struct ObjectRead: Sendable {
    /// The whole object's info.
    public var info: ObjectInfo
    /// The bytes `chunks` yields (all of the object when no range was asked).
    public var range: ClosedRange<Int>
    /// The bytes, in order, in chunks of at most 64 KiB.
    public var chunks: AsyncThrowingStream<[UInt8], any Error>

    /// Creates a read.
    public init(info: ObjectInfo, range: ClosedRange<Int>, chunks: AsyncThrowingStream<[UInt8], any Error>) {
        self.info = info
        self.range = range
        self.chunks = chunks
    }

    /// Every byte of ``chunks`` in one array, for small objects (checkpoints, request assets
    /// already checked against a size cap through ``info``).
    public func collect() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        for try await chunk in chunks {
            bytes += chunk
        }
        return bytes
    }
}
