import Foundation
import VideoGenXCore
import VideoGenXObjects

/// The assets one job needs, made local in its work directory: data URIs decoded here, object
/// keys read from the object store, URLs handed to the ``AssetFetcher``. File names are fixed
/// (`reference`, `watermark`, `music`), so ffmpeg sees no user-chosen path.
struct JobAssets {
    /// The job's private directory.
    let directory: URL
    let fetcher: (any AssetFetcher)?
    let objects: (any ObjectStore)?
    let limits: AssetLimits

    /// Makes the asset `reference` (URL, data URI or object key) named by `field` local as `name`.
    /// - Returns: the file name inside ``directory``.
    func fetch(_ reference: String, kind: AssetKind, field: String, name: String) async throws -> String {
        let destination = directory.appendingPathComponent(name)
        let cap = limits.maxBytes(for: kind)
        switch AssetReference(reference) {
        case .dataURI?:
            try decode(reference, to: destination, cap: cap, field: field)
        case .objectKey(let key, _)?:
            try await read(key, to: destination, cap: cap, field: field)
        case .url?, nil:
            guard let fetcher else {
                throw AssetError(code: .refused, field: field, message: "URLs cannot be fetched here (no asset fetcher configured)")
            }
            do {
                try await fetcher.fetch(reference, to: destination, maxBytes: cap)
            } catch var error as AssetError {
                error.field = field
                throw error
            }
        }
        return name
    }

    private func decode(_ reference: String, to destination: URL, cap: Int, field: String) throws {
        guard let comma = reference.firstIndex(of: ","), reference[..<comma].lowercased().hasSuffix(";base64"),
              let data = Data(base64Encoded: String(reference[reference.index(after: comma)...]), options: .ignoreUnknownCharacters)
        else {
            throw AssetError(code: .unreadable, field: field, message: "is not a valid base64 data URI")
        }
        guard data.count <= cap else {
            throw AssetError(code: .tooLarge, field: field, message: "is \(data.count) bytes, more than the \(cap)-byte limit")
        }
        try data.write(to: destination)
    }

    private func read(_ key: String, to destination: URL, cap: Int, field: String) async throws {
        guard let objects else {
            throw AssetError(code: .refused, field: field, message: "object keys need the platform's object store (use a URL or data URI here)")
        }
        let object: ObjectRead
        do {
            object = try await objects.get(try ObjectKey(key), range: nil)
        } catch let error as ObjectStoreError where error.code == .notFound || error.code == .invalidKey {
            throw AssetError(code: .unreadable, field: field, message: "no object '\(key)' exists")
        }
        guard object.info.size <= cap else {
            throw AssetError(code: .tooLarge, field: field, message: "is \(object.info.size) bytes, more than the \(cap)-byte limit")
        }
        try Data(try await object.collect()).write(to: destination)
    }
}
