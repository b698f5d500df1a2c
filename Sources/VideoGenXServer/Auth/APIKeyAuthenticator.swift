import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// Checks a request's API-key signature (``RequestSignature``) against the ``CredentialStore``:
/// known, unrevoked key; timestamp within the tolerance; signature equal in constant time; nonce
/// never seen within the window. With `allowBearer`, `Authorization: Bearer <key>:<secret>` is
/// accepted too (no replay protection: for trusted internal clients only). Every refusal is a
/// `401` whose message names the reason but never a secret.
public struct APIKeyAuthenticator: Sendable {
    let credentials: any CredentialStore
    let secrets: SecretBox
    let clock: any WallClock
    /// Largest difference between `X-Timestamp` and the server's clock. Default 300 s.
    let toleranceSeconds: Double
    /// Whether `Authorization: Bearer <key>:<secret>` is accepted. Default false.
    let allowBearer: Bool
    /// Recently read keys with their opened secrets, each trusted for `keyCacheSeconds`.
    private let cache: KeyCache
    /// How long a key read from the store is trusted before it is read again, so a revocation
    /// takes effect within this time on every replica. Default 1 s.
    let keyCacheSeconds: Double

    /// Creates an authenticator; defaults as documented on the properties. `clock` judges
    /// timestamps; `cacheClock` ages cached keys (default the system's monotonic clock).
    public init(
        credentials: any CredentialStore, secrets: SecretBox, clock: any WallClock = SystemWallClock(), toleranceSeconds: Double = 300,
        allowBearer: Bool = false, keyCacheSeconds: Double = 1, cacheClock: MonotonicClock = .continuous
    ) {
        self.keyCacheSeconds = keyCacheSeconds
        cache = KeyCache(clock: cacheClock)
        self.credentials = credentials
        self.secrets = secrets
        self.clock = clock
        self.toleranceSeconds = toleranceSeconds
        self.allowBearer = allowBearer
    }

    /// The identity of a request with `headers`, whose target is `pathAndQuery` and body `body`.
    /// - Throws: ``APIError`` 401 with the reason.
    public func authenticate(method: String, pathAndQuery: String, headers: HTTPFields, body: some DataProtocol) async throws -> Identity {
        try await verify(try await admit(headers: headers), method: method, pathAndQuery: pathAndQuery, body: body)
    }

    /// What the headers alone establish, before the body is read.
    public struct Admission: Sendable {
        /// Settled already (a bearer token): the caller.
        var identity: Identity?
        var key: APIKeyRecord?
        var signingKey: RequestSigningKey?
        var timestamp = ""
        var nonce = ""
        var signature = ""
        var now = Date()
    }

    /// The checks that need no body — headers present, nonce well-formed, timestamp in the
    /// window, key known and not revoked — so that a request failing them is refused before the
    /// server reads (up to 12 MiB of) its body.
    /// - Throws: ``APIError`` 401 with the reason.
    public func admit(headers: HTTPFields) async throws -> Admission {
        if let authorization = headers[.authorization], authorization.lowercased().hasPrefix("bearer ") {
            return Admission(identity: try await bearer(String(authorization.dropFirst(7))))
        }
        func header(_ name: HTTPField.Name) throws(APIError) -> String {
            guard let value = headers[name], !value.isEmpty else { throw Self.refuse("missing header \(name.rawName)") }
            return value
        }
        let keyID = try header(Self.keyName)
        var admission = Admission()
        admission.timestamp = try header(Self.timestampName)
        admission.nonce = try header(Self.nonceName)
        admission.signature = try header(Self.signatureName)
        let nonce = admission.nonce
        // Compared as bytes: Character's letter and number properties look up Unicode tables.
        guard (16...64).contains(nonce.utf8.count), nonce.utf8.allSatisfy(Self.isNonceByte) else {
            throw Self.refuse("\(RequestSignature.nonceHeader) must be 16–64 URL-safe characters")
        }
        admission.now = clock.now()
        // Plain decimal digits only: `Double` would also take hex (`0x…`), exponents and signs.
        let timestamp = admission.timestamp
        guard (1...12).contains(timestamp.utf8.count), timestamp.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let seconds = Double(timestamp), abs(seconds - admission.now.timeIntervalSince1970) <= toleranceSeconds
        else {
            throw Self.refuse("\(RequestSignature.timestampHeader) must be Unix seconds within \(Int(toleranceSeconds)) s of the server's clock")
        }
        let entry = try await liveKey(keyID)
        admission.key = entry.key
        admission.signingKey = entry.signingKey
        return admission
    }

    /// Completes ``admit(headers:)`` with the body: the signature, then the nonce (recorded only
    /// for a valid signature, so strangers cannot fill the nonce table).
    /// - Throws: ``APIError`` 401 with the reason.
    public func verify(_ admission: Admission, method: String, pathAndQuery: String, body: some DataProtocol) async throws -> Identity {
        if let identity = admission.identity { return identity }
        return try await verify(admission, method: method, pathAndQuery: pathAndQuery, bodyHash: RequestSignature.bodyHash(body))
    }

    /// ``verify(_:method:pathAndQuery:body:)`` given the body's SHA-256 (lowercase hex), hashed
    /// while it was read.
    /// - Throws: ``APIError`` 401 with the reason.
    public func verify(_ admission: Admission, method: String, pathAndQuery: String, bodyHash: String) async throws -> Identity {
        let (identity, claim) = try verifySignature(admission, method: method, pathAndQuery: pathAndQuery, bodyHash: bodyHash)
        if let claim, try await !credentials.record(claim) { throw Self.replayed }
        return identity
    }

    /// The signature check of ``verify(_:method:pathAndQuery:bodyHash:)`` without recording the
    /// nonce: the caller records the returned claim (``RateLimiter/consume(key:limit:now:recording:in:)``
    /// with ``credentials``) before it trusts the request, and refuses a replay with ``replayed``.
    /// The claim is `nil` for a bearer token.
    /// - Throws: ``APIError`` 401 with the reason.
    public func verifySignature(
        _ admission: Admission, method: String, pathAndQuery: String, bodyHash: String
    ) throws -> (identity: Identity, nonce: NonceClaim?) {
        if let identity = admission.identity { return (identity, nil) }
        guard let key = admission.key, let signingKey = admission.signingKey else { throw Self.refuse("unknown API key") }
        guard RequestSignature.isValid(
            admission.signature, key: signingKey, method: method, pathAndQuery: pathAndQuery, timestamp: admission.timestamp,
            nonce: admission.nonce, bodyHash: bodyHash
        ) else {
            throw Self.refuse("signature does not match the request")
        }
        // Remembered past the far edge of the window, so the same nonce cannot come back with any
        // acceptable timestamp.
        let now = admission.now
        let claim = NonceClaim(nonce: admission.nonce, keyID: key.id, expiresAt: now.addingTimeInterval(2 * toleranceSeconds), now: now)
        return (Identity(userID: key.userID, tier: key.tier, keyID: key.id), claim)
    }

    /// The answer to a nonce used before.
    static var replayed: APIError { refuse("nonce already used") }

    private static let keyName = HTTPField.Name(RequestSignature.keyHeader)!
    private static let timestampName = HTTPField.Name(RequestSignature.timestampHeader)!
    private static let nonceName = HTTPField.Name(RequestSignature.nonceHeader)!
    private static let signatureName = HTTPField.Name(RequestSignature.signatureHeader)!

    private func bearer(_ token: String) async throws -> Identity {
        guard allowBearer else { throw Self.refuse("bearer tokens are disabled on this server; sign the request") }
        let parts = token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { throw Self.refuse("a bearer token is <key id>:<secret>") }
        let entry = try await liveKey(String(parts[0]))
        guard RequestSignature.constantTimeEqual(entry.secret, String(parts[1])) else { throw Self.refuse("wrong secret") }
        return Identity(userID: entry.key.userID, tier: entry.key.tier, keyID: entry.key.id)
    }

    /// The unrevoked key `id`, its secret and signing key (from the cache when read less than
    /// `keyCacheSeconds` ago on the cache's clock).
    private func liveKey(_ id: String) async throws -> KeyCache.Entry {
        let entry: KeyCache.Entry
        if let cached = cache.entry(for: id, maxAge: keyCacheSeconds) {
            entry = cached
        } else {
            guard let key = try await credentials.apiKey(id: id) else { throw Self.refuse("unknown API key") }
            do {
                let secret = try secrets.open(key.sealedSecret)
                entry = KeyCache.Entry(key: key, secret: secret, signingKey: RequestSigningKey(secret: secret), readAt: cache.clock.now)
            } catch {
                throw APIError(.internalServerError, code: "internal", message: "the key store cannot be read with this server's secrets key")
            }
            cache.store(entry)
        }
        guard entry.key.revokedAt == nil else { throw Self.refuse("API key revoked") }
        return entry
    }

    /// A-Z, a-z, 0-9, `-` and `_`.
    static func isNonceByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }

    static func refuse(_ reason: String) -> APIError {
        APIError(.unauthorized, code: "unauthorized", message: reason, headers: [.wwwAuthenticate: "VideoGenX-HMAC-SHA256"])
    }
}

/// Keys read recently, with their opened secrets; bounded (cleared past 10,000 keys).
final class KeyCache: Sendable {
    struct Entry: Sendable {
        var key: APIKeyRecord
        var secret: String
        /// The secret keyed for HMAC once, not per request.
        var signingKey: RequestSigningKey
        var readAt: MonotonicClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// What entries' ages are read on.
    let clock: MonotonicClock

    init(clock: MonotonicClock) {
        self.clock = clock
    }

    /// The entry of `id` if it was read less than `maxAge` seconds ago.
    func entry(for id: String, maxAge: Double) -> Entry? {
        guard maxAge > 0 else { return nil }
        return entries.withLock { entries in
            guard let entry = entries[id], entry.readAt.duration(to: clock.now) < .seconds(maxAge) else { return nil }
            return entry
        }
    }

    func store(_ entry: Entry) {
        entries.withLock { entries in
            if entries.count >= 10_000 { entries.removeAll() }
            entries[entry.key.id] = entry
        }
    }
}
