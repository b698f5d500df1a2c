import VideoGenXCore

/// Who is calling, once authenticated: the owner of the API key, their tier, and the key.
public struct Identity: Sendable, Hashable {
    /// The user the request acts for.
    public var userID: String
    /// Their tier.
    public var tier: Tier
    /// The API key used (`local` without authentication).
    public var keyID: String

    /// Creates an identity.
    public init(userID: String, tier: Tier, keyID: String) {
        self.userID = userID
        self.tier = tier
        self.keyID = keyID
    }

    /// The caller when authentication is off (route tests, trusted embedding): the local admin.
    public static let local = Identity(userID: "local", tier: .admin, keyID: "local")
}
