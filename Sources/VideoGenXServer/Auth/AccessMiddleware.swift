import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VideoGenXCore
import VideoGenXStore

/// The gate of the `/api/v1` routes, in order: load shedding (past the in-flight cap: 503 +
/// `Retry-After` at once), authentication (``APIKeyAuthenticator``; 401), then the key's rate
/// limit (GCRA per tier; 429 + `Retry-After` and `X-RateLimit-*`), the nonce of a signed request
/// recorded in the same step (a replay: 401). Every other answer to an
/// authenticated key carries the `X-RateLimit-*` headers too, errors (400, 404, 409 …) included:
/// clients back off on them whatever the status.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let shedder: LoadShedder
    let authenticator: APIKeyAuthenticator?
    let limiter: any RateLimiter
    let tiers: [Tier: TierPolicy]
    let clock: any WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard shedder.enter() else {
            throw APIError(.serviceUnavailable, code: "overloaded", message: "the server is at capacity; retry shortly", headers: [.retryAfter: "1"])
        }
        defer { shedder.leave() }
        guard let authenticator else { return try await next(request, context) }
        var request = request
        var context = context
        // Headers first: a request that cannot be authenticated is refused before its body is read.
        let admission = try await authenticator.admit(headers: request.headers)
        // The body is hashed as it arrives (capped), not buffered whole and then hashed.
        let body = try await HashedBody.read(&request, upTo: context.maxUploadSize)
        let target = request.uri.query.map { "\(request.uri.path)?\($0)" } ?? request.uri.path
        let (identity, nonce) = try authenticator.verifySignature(admission, method: request.method.rawValue, pathAndQuery: target, bodyHash: body.sha256Hex)
        context.identity = identity
        let policy = tiers[identity.tier] ?? TierPolicy.defaults(for: identity.tier)
        let limit = GCRA(rate: policy.requestsPerSecond, burst: policy.burst)
        // A signed request's nonce is recorded with its rate check (one Redis call in cluster
        // mode); a replay is refused before it costs the key anything.
        let decision: GCRA.Decision
        if let nonce {
            guard let fresh = try await limiter.consume(key: identity.keyID, limit: limit, now: clock.now(), recording: nonce, in: authenticator.credentials) else {
                throw APIKeyAuthenticator.replayed
            }
            decision = fresh
        } else {
            decision = await limiter.consume(key: identity.keyID, limit: limit, now: clock.now())
        }
        var headers: HTTPFields = [
            Self.limitName: String(policy.burst), Self.remainingName: String(decision.remaining),
            Self.resetName: String(Int(decision.resetAfter.rounded(.up))),
        ]
        guard decision.allowed else {
            let wait = max(1, Int(decision.retryAfter.rounded(.up)))
            headers[.retryAfter] = String(wait)
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "slow down: the \(context.identity.tier.rawValue) tier allows \(Self.format(policy.requestsPerSecond)) requests/s (burst \(policy.burst)); retry in \(wait) s",
                headers: headers
            )
        }
        do {
            var response = try await next(request, context)
            response.headers.append(contentsOf: headers)
            return response
        } catch var error as APIError {
            error.headers.append(contentsOf: headers)
            throw error
        }
    }

    private static let limitName = HTTPField.Name("X-RateLimit-Limit")!
    private static let remainingName = HTTPField.Name("X-RateLimit-Remaining")!
    private static let resetName = HTTPField.Name("X-RateLimit-Reset")!

    static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}
