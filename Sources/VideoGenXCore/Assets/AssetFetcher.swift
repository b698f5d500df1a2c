import Foundation

/// Fetches a remote asset a request names by URL (reference image, watermark image, music) into
/// a local file. The implementation applies the SSRF guard, a size cap and a timeout; it lives
/// with the HTTP code and is injected by the composition root (the scheduler speaks no HTTP).
public protocol AssetFetcher: Sendable {
    /// Downloads `url` to `destination`, refusing more than `maxBytes`.
    ///
    /// - Throws: ``AssetError`` saying why the asset could not be had.
    func fetch(_ url: String, to destination: URL, maxBytes: Int) async throws
}

/// What a request's asset may be: an image or an audio file.
public enum AssetKind: String, Sendable {
    /// A reference or watermark image.
    case image
    /// Background music.
    case audio
}

/// Why an asset a request names could not be used.
public struct AssetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// The URL is refused (private address, bad scheme) or no fetcher is configured.
        case refused = "asset_refused"
        /// Larger than the cap.
        case tooLarge = "asset_too_large"
        /// The server answered with an error status.
        case httpStatus = "asset_http_status"
        /// The connection failed or timed out (worth retrying).
        case unreachable = "asset_unreachable"
        /// Not decodable (bad data URI, not an image or audio file).
        case unreadable = "asset_unreadable"
    }

    /// What went wrong.
    public var code: Code
    /// Which request field named the asset, e.g. `params.watermark.image`.
    public var field: String
    /// A human-readable message.
    public var message: String

    /// Creates an error.
    public init(code: Code, field: String, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// Whether another attempt may succeed (only network trouble and 5xx-like failures).
    public var isRetryable: Bool { code == .unreachable }

    /// `field: message`.
    public var description: String { "\(field): \(message)" }
}
