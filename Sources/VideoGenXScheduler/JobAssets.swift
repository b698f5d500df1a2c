import Foundation
import VideoGenXCore

/// The assets one job needs, made local in its work directory: data URIs decoded here, URLs
/// handed to the ``AssetFetcher``. File names are fixed (`reference`, `watermark`, `music`), so
/// ffmpeg sees no user-chosen path.
struct JobAssets {
    /// The job's private directory.
    let directory: URL
    let fetcher: (any AssetFetcher)?
    let limits: AssetLimits

    /// Makes the asset `reference` (URL or data URI) named by `field` local as `name`.
    /// - Returns: the file name inside ``directory``.
    func fetch(_ reference: String, kind: AssetKind, field: String, name: String) async throws -> String {
        let destination = directory.appendingPathComponent(name)
        let cap = limits.maxBytes(for: kind)
        if reference.lowercased().hasPrefix("data:") {
            guard let comma = reference.firstIndex(of: ","), reference[..<comma].lowercased().hasSuffix(";base64"),
                  let data = Data(base64Encoded: String(reference[reference.index(after: comma)...]), options: .ignoreUnknownCharacters)
            else {
                throw AssetError(code: .unreadable, field: field, message: "is not a valid base64 data URI")
            }
            guard data.count <= cap else {
                throw AssetError(code: .tooLarge, field: field, message: "is \(data.count) bytes, more than the \(cap)-byte limit")
            }
            try data.write(to: destination)
            return name
        }
        guard let fetcher else {
            throw AssetError(code: .refused, field: field, message: "URLs cannot be fetched here (no asset fetcher configured)")
        }
        do {
            try await fetcher.fetch(reference, to: destination, maxBytes: cap)
        } catch var error as AssetError {
            error.field = field
            throw error
        }
        return name
    }
}
