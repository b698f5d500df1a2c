import Hummingbird

/// The request context of the API: Hummingbird's core storage plus the caller's identity.
/// Authentication arrives with the auth issue; until then every caller is ``localUser``.
public struct APIRequestContext: RequestContext {
    /// The identity used before authentication exists.
    public static let localUser = "local"

    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated user's id.
    public var userID: String

    /// Creates a context for a new request.
    public init(source: Source) {
        coreContext = .init(source: source)
        userID = Self.localUser
    }

    /// Bodies larger than this are refused with 413 (the largest legal request, with a 10 MiB
    /// image data URI, fits).
    public var maxUploadSize: Int { 12 * 1024 * 1024 }
}
