import Foundation
import Metrics

/// An object store that measures the store it wraps:
/// `videogenx_object_store_operation_duration_seconds{op}` (for `get`, until the object's
/// header is read; the bytes stream after), `videogenx_object_store_errors_total{op}` and
/// `videogenx_object_store_bytes_total{op=put|get}` (the bytes stored, and the bytes of each
/// read's range).
public struct InstrumentedObjectStore<Base: ObjectStore>: ObjectStore {
    /// The store doing the work.
    public let base: Base
    private let timers: [String: Timer]
    private let errors: [String: Counter]
    private let putBytes = Counter(label: "videogenx_object_store_bytes_total", dimensions: [("op", "put")])
    private let getBytes = Counter(label: "videogenx_object_store_bytes_total", dimensions: [("op", "get")])

    /// Wraps `base`, creating the metrics in the current metrics factory.
    public init(_ base: Base) {
        self.base = base
        let operations = ["put", "head", "get", "delete", "list", "presign"]
        timers = Dictionary(uniqueKeysWithValues: operations.map {
            ($0, Timer(label: "videogenx_object_store_operation_duration_seconds", dimensions: [("op", $0)]))
        })
        errors = Dictionary(uniqueKeysWithValues: operations.map {
            ($0, Counter(label: "videogenx_object_store_errors_total", dimensions: [("op", $0)]))
        })
    }

    public var servesDownloadsDirectly: Bool { base.servesDownloadsDirectly }

    public func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
        let info = try await measure("put") { try await base.put(key, fromFile: source, contentType: contentType) }
        putBytes.increment(by: info.size)
        return info
    }

    public func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
    where Chunks.Element == [UInt8] {
        let info = try await measure("put") { try await base.put(key, chunks: chunks, contentType: contentType) }
        putBytes.increment(by: info.size)
        return info
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        try await measure("head") { try await base.head(key) }
    }

    public func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead {
        let read = try await measure("get") { try await base.get(key, range: range) }
        getBytes.increment(by: read.info.size == 0 ? 0 : read.range.count)
        return read
    }

    public func delete(_ key: ObjectKey) async throws {
        try await measure("delete") { try await base.delete(key) }
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        try await measure("list") { try await base.list(prefix: prefix) }
    }

    public func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL {
        let start = ContinuousClock.now
        defer { timers["presign"]?.record(duration: start.duration(to: .now)) }
        do {
            return try base.presignedGet(key, expiresIn: expiresIn)
        } catch {
            errors["presign"]?.increment()
            throw error
        }
    }

    private func measure<Result: Sendable>(_ operation: String, _ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        defer { timers[operation]?.record(duration: start.duration(to: .now)) }
        do {
            return try await body()
        } catch {
            errors[operation]?.increment()
            throw error
        }
    }
}
