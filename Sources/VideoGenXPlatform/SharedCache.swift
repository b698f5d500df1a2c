import Logging
import VideoGenXCacheRedis
import VideoGenXServer
import VideoGenXStore

/// What API nodes share through Redis when `cache.url` is set: one client (a service of the
/// group, closed at shutdown) behind the status cache's second level, the rate limiter and the
/// nonce store, each with its documented fallback when Redis does not answer.
struct SharedCache {
    let client: RedisClient
    let tasks: RedisTaskCache
    let rateLimiter: RedisRateLimiter
    private let reporter: RedisFallbackReporter

    /// The shared cache at `url`; connects on first use.
    init(url: RedisURL, logger: Logger) {
        client = RedisClient(RedisClient.Configuration(url: url))
        reporter = RedisFallbackReporter(logger: logger)
        tasks = RedisTaskCache(client: client, reporter: reporter)
        rateLimiter = RedisRateLimiter(client: client, reporter: reporter)
    }

    /// `credentials` with nonces recorded in Redis.
    func credentials(over credentials: any CredentialStore) -> any CredentialStore {
        RedisNonceCredentialStore(base: credentials, client: client, reporter: reporter)
    }
}
