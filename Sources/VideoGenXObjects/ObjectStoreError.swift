/// An error of an ``ObjectStore`` or of URL signing, with a stable code.
public struct ObjectStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable {
        /// The key is not a valid ``ObjectKey``.
        case invalidKey = "invalid_key"
        /// No object under the key.
        case notFound = "not_found"
        /// The requested byte range does not overlap the object.
        case invalidRange = "invalid_range"
        /// A signed URL's signature does not match.
        case badSignature = "bad_signature"
        /// A signed URL has expired.
        case expired
        /// The backing storage failed.
        case storage
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
