import Foundation
import Synchronization
import VideoGenXObjects
import VideoGenXStore

/// Presigned result URLs reused for at most half their lifetime, so a URL is always valid for
/// at least half of `api.url_expiry_seconds` when it is sent, while polling a task does not sign
/// (an HMAC, or SigV4 on S3) on every read. Bounded LRU by object key.
final class SignedURLCache: Sendable {
    /// A presigned URL and when it stops working (also as the view's ISO 8601 text, formatted
    /// once when signed rather than on every read that reuses the URL).
    struct Signed: Sendable {
        var url: String
        var expiresAt: Date
        var expiresAtText: String

        init(url: String, expiresAt: Date) {
            self.url = url
            self.expiresAt = expiresAt
            expiresAtText = TaskView.timestamp(expiresAt)
        }
    }

    private let lifetime: TimeInterval
    private let clock: any WallClock
    private let entries: Mutex<LRUDictionary<String, Signed>>

    /// URLs signed for `lifetime` seconds, at most `capacity` kept.
    init(lifetime: TimeInterval, capacity: Int, clock: any WallClock = SystemWallClock()) {
        self.lifetime = lifetime
        self.clock = clock
        entries = Mutex(LRUDictionary(capacity: max(capacity, 1)))
    }

    /// A URL for `key` valid for at least half the lifetime: a cached one while it is, else a new one.
    func url(for key: ObjectKey, objects: any ObjectStore) throws -> Signed {
        let now = clock.now()
        if let cached = entries.withLock({ $0.value(for: key.rawValue) }), cached.expiresAt.timeIntervalSince(now) >= lifetime / 2 {
            return cached
        }
        let signed = try Self.sign(key, objects: objects, lifetime: lifetime, at: now)
        entries.withLock { $0.set(signed, for: key.rawValue) }
        return signed
    }

    /// A URL for `key` signed at `now` for `lifetime` seconds, and its expiry.
    static func sign(_ key: ObjectKey, objects: any ObjectStore, lifetime: TimeInterval, at now: Date) throws -> Signed {
        Signed(url: try objects.presignedGet(key, expiresIn: lifetime).absoluteString, expiresAt: now.addingTimeInterval(lifetime))
    }
}
