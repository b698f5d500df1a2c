import Hummingbird

/// The request context of the API: Hummingbird's core storage plus the caller's identity, set by
/// ``AccessMiddleware`` from the request's API-key signature (``Identity/local`` when the API
/// runs without authentication, as in route tests).
public struct APIRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// Who is calling.
    public var identity: Identity

    /// Creates a context for a new request.
    public init(source: Source) {
        coreContext = .init(source: source)
        identity = .local
    }

    /// The caller's user id.
    public var userID: String { identity.userID }

    /// Bodies larger than this are refused with 413 (the largest legal request, with a 10 MiB
    /// image data URI, fits).
    public var maxUploadSize: Int { 12 * 1024 * 1024 }
}
