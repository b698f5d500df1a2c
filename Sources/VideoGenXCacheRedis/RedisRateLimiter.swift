import Foundation
import VideoGenXServer

/// Per-key GCRA rate limits kept in Redis, so a key gets the same limit however its requests are
/// spread over API nodes. One Lua script reads the key's theoretical arrival time (TAT), decides
/// and writes it back atomically, on Redis's own clock (the nodes' clocks need not agree, and
/// the `now` passed in is not used). When Redis does not answer, this node's in-process limiter
/// decides (the limit then holds per node, not across nodes) and the fallback is reported.
public struct RedisRateLimiter: RateLimiter {
    private let client: RedisClient
    private let fallback: InMemoryRateLimiter
    private let reporter: RedisFallbackReporter
    private let prefix: String

    /// Limits kept under `<prefix>rl:<key>` on `client`.
    public init(client: RedisClient, reporter: RedisFallbackReporter, prefix: String = "vgx:") {
        self.client = client
        self.reporter = reporter
        self.prefix = prefix
        fallback = InMemoryRateLimiter()
    }

    public func consume(key: String, limit: GCRA, now: Date) async -> GCRA.Decision {
        let interval = 1_000_000 / limit.rate
        do {
            let reply = try await client.evaluate(Self.script, keys: [prefix + "rl:" + key], arguments: [String(interval), String(limit.burst)])
            guard case .array(let values?) = reply, values.count == 4, let allowed = values[0].int, let remaining = values[1].int,
                  let retry = values[2].int, let reset = values[3].int
            else {
                throw RedisError.protocolViolation("unexpected GCRA reply \(reply)")
            }
            return GCRA.Decision(
                allowed: allowed == 1, tat: now.addingTimeInterval(Double(reset) / 1e6), remaining: remaining,
                retryAfter: Double(retry) / 1e6, resetAfter: Double(reset) / 1e6
            )
        } catch {
            reporter.fellBack(.rateLimit, error: error)
            return await fallback.consume(key: key, limit: limit, now: now)
        }
    }

    /// GCRA on Redis's clock, in whole microseconds (exact in Lua's doubles).
    /// KEYS[1]: the key's TAT; ARGV[1]: emission interval (µs); ARGV[2]: burst.
    /// Returns {allowed 0|1, remaining, retry after µs, reset after µs}.
    static let script = RedisScript("""
    local time = redis.call('TIME')
    local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
    local interval = tonumber(ARGV[1])
    local burst = tonumber(ARGV[2])
    local tolerance = interval * (burst - 1)
    local tat = tonumber(redis.call('GET', KEYS[1])) or now
    if tat < now then tat = now end
    local allow_at = tat - tolerance
    if now < allow_at - 1 then
      return {0, 0, math.ceil(allow_at - now), math.ceil(tat - now)}
    end
    local next_tat = tat + interval
    local used = next_tat - now
    redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.ceil(used / 1000) + 1)
    local remaining = math.floor((tolerance + interval - used) / interval + 0.0001)
    if remaining > burst - 1 then remaining = burst - 1 end
    if remaining < 0 then remaining = 0 end
    return {1, remaining, 0, math.ceil(used)}
    """)
}
