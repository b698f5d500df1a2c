import Foundation
import Metrics
import VideoGenXCore

/// An object store that measures the store it wraps:
/// `videogenx_object_store_operation_duration_seconds{op}` (for `get`, until the object's
/// header is read; the bytes stream after), `videogenx_object_store_errors_total{op}` and
/// `videogenx_object_store_bytes_total{op=put|get}` (the bytes stored, and the bytes of each
/// read's range).
public struct InstrumentedObjectStore<Base: ObjectStore>: ObjectStore {
    /// The store doing the work.
    public let base: Base
    private let operations = OperationMetrics(
        duration: "videogenx_object_store_operation_duration_seconds", errors: "videogenx_object_store_errors_total",
        operations: ["put", "head", "get", "delete", "list", "presign"]
    )
    private let putBytes = Counter(label: "videogenx_object_store_bytes_total", dimensions: [("op", "put")])
    private let getBytes = Counter(label: "videogenx_object_store_bytes_total", dimensions: [("op", "get")])

    /// Wraps `base`, creating the metrics in the current metrics factory.
    public init(_ base: Base) {
        self.base = base
    }

    public var servesDownloadsDirectly: Bool { base.servesDownloadsDirectly }

    public func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
        let info = try await operations.measure("put") { try await base.put(key, fromFile: source, contentType: contentType) }
        putBytes.increment(by: info.size)
        return info
    }

    public func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
    where Chunks.Element == [UInt8] {
        let info = try await operations.measure("put") { try await base.put(key, chunks: chunks, contentType: contentType) }
        putBytes.increment(by: info.size)
        return info
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        try await operations.measure("head") { try await base.head(key) }
    }

    public func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead {
        let read = try await operations.measure("get") { try await base.get(key, range: range) }
        getBytes.increment(by: read.info.size == 0 ? 0 : read.range.count)
        return read
    }

    public func delete(_ key: ObjectKey) async throws {
        try await operations.measure("delete") { try await base.delete(key) }
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        try await operations.measure("list") { try await base.list(prefix: prefix) }
    }

    public func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL {
        try operations.measure("presign") { try base.presignedGet(key, expiresIn: expiresIn) }
    }
}
