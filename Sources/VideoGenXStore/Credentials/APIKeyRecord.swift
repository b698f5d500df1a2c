import Foundation
import VideoGenXCore

/// An API key as stored: its public id, owner, tier and the secret sealed with the server's
/// secrets key (the store never sees the secret in clear).
public struct APIKeyRecord: Sendable, Hashable {
    /// Public key id, sent as `X-Api-Key` (`vk_…`).
    public var id: String
    /// The owner.
    public var userID: String
    /// The owner's tier.
    public var tier: Tier
    /// A label for operators.
    public var name: String
    /// The secret, sealed (AES-GCM) with the server's secrets key.
    public var sealedSecret: [UInt8]
    /// Creation time.
    public var createdAt: Date
    /// When it was revoked, if it was.
    public var revokedAt: Date?

    /// Creates a record.
    public init(id: String, userID: String, tier: Tier, name: String, sealedSecret: [UInt8], createdAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.tier = tier
        self.name = name
        self.sealedSecret = sealedSecret
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}
