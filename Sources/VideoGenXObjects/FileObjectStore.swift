import Foundation
import Synchronization

/// The embedded ``ObjectStore``: objects are files under `root/objects/<key>`, their content types
/// in `root/meta/<key>`. Writes go to `root/tmp`, are flushed to disk, then renamed into place, so
/// a reader or a crash sees the old object or the new one, never half of one.
///
/// Presigned URLs point at the API (`<publicBaseURL>/api/v1/objects/<key>?expires=…&signature=…`),
/// which verifies them with the same ``URLSigner`` before serving the file.
public struct FileObjectStore: ObjectStore {
    /// The store's folder.
    public let root: URL
    /// Base URL of the API that serves objects, e.g. `http://127.0.0.1:8000`.
    public let publicBaseURL: String
    /// Signs presigned URLs.
    public let signer: URLSigner
    private let now: @Sendable () -> Date

    /// Bytes per chunk when streaming reads.
    public static let chunkSize = 64 * 1024

    /// A store in `root` (created if missing).
    ///
    /// - Parameters:
    ///   - root: the folder (default in `serve`: `./data/objects`).
    ///   - publicBaseURL: where the API is reachable, for presigned URLs.
    ///   - signer: URL signer shared with the API.
    ///   - now: clock for URL expiry. Default the system clock.
    public init(root: URL, publicBaseURL: String, signer: URLSigner, now: @escaping @Sendable () -> Date = { Date() }) throws {
        self.root = root
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
        self.signer = signer
        self.now = now
        for folder in ["objects", "meta", "tmp"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
    }

    /// The URL path under which the API serves `key`.
    public static func apiPath(for key: ObjectKey) -> String { "/api/v1/objects/\(key.rawValue)" }

    public func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
        guard let input = FileHandle(forReadingAtPath: source.path) else {
            throw ObjectStoreError(.storage, "cannot read \(source.path)")
        }
        defer { try? input.close() }
        let chunks = AsyncThrowingStream<[UInt8], any Error> {
            let data = try input.read(upToCount: Self.chunkSize) ?? Data()
            return data.isEmpty ? nil : [UInt8](data)
        }
        return try await put(key, chunks: chunks, contentType: contentType)
    }

    public func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
    where Chunks.Element == [UInt8] {
        let temporary = root.appendingPathComponent("tmp/\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ObjectStoreError(.storage, "cannot create \(temporary.path)")
        }
        do {
            let output = try FileHandle(forWritingTo: temporary)
            var size = 0
            do {
                for try await chunk in chunks {
                    try output.write(contentsOf: chunk)
                    size += chunk.count
                }
                try output.synchronize()
                try output.close()
            } catch {
                try? output.close()
                throw error
            }
            let destination = dataURL(key)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            let meta = metaURL(key)
            try FileManager.default.createDirectory(at: meta.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contentType.utf8).write(to: meta, options: .atomic)
            // rename(2) replaces the destination atomically.
            guard rename(temporary.path, destination.path) == 0 else {
                throw ObjectStoreError(.storage, "cannot move the new object into \(destination.path): errno \(errno)")
            }
            return ObjectInfo(key: key, size: size, contentType: contentType, modified: now())
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        let path = dataURL(key).path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let contentType = (try? String(contentsOf: metaURL(key), encoding: .utf8)) ?? "application/octet-stream"
        return ObjectInfo(
            key: key, size: (attributes[.size] as? Int) ?? 0, contentType: contentType,
            modified: (attributes[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        )
    }

    public func list(prefix: String) async throws -> [ObjectInfo] {
        let objects = root.appendingPathComponent("objects")
        guard let walker = FileManager.default.enumerator(at: objects, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [ObjectInfo] = []
        let base = objects.resolvingSymlinksInPath().path + "/"
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let path = url.resolvingSymlinksInPath().path
            guard path.hasPrefix(base), let key = try? ObjectKey(String(path.dropFirst(base.count))), key.rawValue.hasPrefix(prefix),
                  let info = try await head(key)
            else { continue }
            found.append(info)
        }
        return found.sorted { $0.key.rawValue < $1.key.rawValue }
    }

    public func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead {
        guard let info = try await head(key), let handle = FileHandle(forReadingAtPath: dataURL(key).path) else {
            throw ObjectStoreError(.notFound, "no object \(key)")
        }
        let bytes: ClosedRange<Int>
        if let range {
            guard let resolved = range.resolved(size: info.size) else {
                try? handle.close()
                throw ObjectStoreError(.invalidRange, "range \(range) is outside the object's \(info.size) bytes")
            }
            bytes = resolved
        } else {
            bytes = 0...max(info.size - 1, 0)
        }
        try handle.seek(toOffset: UInt64(bytes.lowerBound))
        let reader = FileChunkReader(handle: handle, remaining: info.size == 0 ? 0 : bytes.count)
        let chunks = AsyncThrowingStream<[UInt8], any Error> { try reader.next() }
        return ObjectRead(info: info, range: bytes, chunks: chunks)
    }

    public func delete(_ key: ObjectKey) async throws {
        for url in [dataURL(key), metaURL(key)] where FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    /// False: its URLs are the API's own `/api/v1/objects/…` route.
    public var servesDownloadsDirectly: Bool { false }

    public func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL {
        let path = Self.apiPath(for: key)
        let query = signer.query(path: path, expires: now().addingTimeInterval(expiresIn))
        guard let url = URL(string: "\(publicBaseURL)\(path)?\(query)") else {
            throw ObjectStoreError(.storage, "cannot form a URL from base \(publicBaseURL)")
        }
        return url
    }

    private func dataURL(_ key: ObjectKey) -> URL { root.appendingPathComponent("objects/\(key.rawValue)") }
    private func metaURL(_ key: ObjectKey) -> URL { root.appendingPathComponent("meta/\(key.rawValue)") }
}
