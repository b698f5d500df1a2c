import Crypto
import Foundation
import NIOCore
import VideoGenXCore

/// The web console's files as the server answers them: bytes, media type and a strong ETag
/// (SHA-256 of the bytes), all computed once at first use. The files themselves are
/// ``files``, generated from `console/` by `scripts/embed-console.py`.
enum ConsoleAssets {
    /// One file ready to send.
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: String
        var etag: String
    }

    /// Every file by its path under `/console/`.
    static let assets: [String: Asset] = Dictionary(uniqueKeysWithValues: files.map { path, text in
        let bytes = Array(text.utf8)
        let etag = "\"\(Array(SHA256.hash(data: bytes)).hex.prefix(32))\""
        return (path, Asset(body: ByteBuffer(bytes: bytes), contentType: contentType(of: path), etag: etag))
    })

    /// The media type of a console file, by its extension.
    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }

    /// The Content-Security-Policy of every console answer: scripts and styles from this origin
    /// only (no inline script or style, no eval), API calls to this origin only, no frames,
    /// no plugins. Images and video may also come from another http(s) origin, because result
    /// URLs point at the object store (an S3 endpoint's presigned URLs) when one is configured.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "img-src 'self' data: blob: http: https:", "media-src 'self' blob: http: https:",
        "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")
}
