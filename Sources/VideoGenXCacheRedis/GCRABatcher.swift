import VideoGenXCore

/// Coalesces the GCRA checks that arrive while script calls are in flight into the next call:
/// one `EVALSHA` decides a whole batch, key after key, atomically on Redis's clock. Each check is
/// still decided exactly as alone (same key twice in a batch: the second sees the first's TAT), but
/// the round trip, the thread hops and Redis's per-command work are shared — one script call per
/// request cost ~40 µs of API CPU and ~16 µs of Redis CPU (docs/benchmarks.md).
final class GCRABatcher: Sendable {
    /// What the script answered for one check; times in whole microseconds.
    struct Verdict: Sendable {
        /// The check's nonce was in Redis already: nothing was decided or consumed.
        var replayed = false
        var allowed: Bool
        var remaining: Int
        var retryAfterMicroseconds: Int
        var resetAfterMicroseconds: Int
    }

    private struct Check: Sendable {
        var key: String
        var intervalMicroseconds: String
        var burst: String
        /// A nonce to record first (`SET NX PX`); the check is decided only when it was fresh.
        var nonceKey: String?
        var nonceMilliseconds = "0"
    }

    private let checks: BatchCoalescer<Check, Verdict>

    /// A batcher on `client`: up to two script calls in flight (each atomic in Redis, so two
    /// batches never split a check); checks arriving meanwhile go in the next. With one, a check
    /// arriving just after a call left waited for that call's whole round trip first.
    init(client: RedisClient) {
        checks = BatchCoalescer(maxInFlight: 2) { batch in try await Self.decide(batch, on: client) }
    }

    /// Decides one request against the TAT stored at `key`, after recording the nonce at
    /// `nonceKey` for `nonceMilliseconds` when one is given (a replay is answered `replayed`).
    /// - Throws: ``RedisError`` when the batch's script call failed.
    func check(key: String, intervalMicroseconds: Double, burst: Int, nonceKey: String? = nil, nonceMilliseconds: Int = 0) async throws -> Verdict {
        try await checks.submit(Check(
            key: key, intervalMicroseconds: String(intervalMicroseconds), burst: String(burst), nonceKey: nonceKey,
            nonceMilliseconds: nonceKey == nil ? "0" : String(max(1, nonceMilliseconds))
        ))
    }

    /// One script call for `batch`, its reply split into one verdict per check.
    private static func decide(_ batch: [Check], on client: RedisClient) async throws -> [Verdict] {
        var keys: [String] = []
        var arguments: [String] = []
        keys.reserveCapacity(2 * batch.count)
        arguments.reserveCapacity(3 * batch.count)
        for check in batch {
            keys.append(check.key)
            keys.append(check.nonceKey ?? check.key) // not touched without a nonce
            arguments.append(check.intervalMicroseconds)
            arguments.append(check.burst)
            arguments.append(check.nonceMilliseconds)
        }
        // Already a batch: written at once, not queued behind the client's own coalescing.
        let reply = try await client.evaluate(Self.script, keys: keys, arguments: arguments, coalesced: false)
        guard case .array(let values?) = reply, values.count == 4 * batch.count else {
            throw RedisError.protocolViolation("unexpected GCRA reply \(reply)")
        }
        return try (0..<batch.count).map { index in
            let base = 4 * index
            guard let allowed = values[base].int, let remaining = values[base + 1].int, let retry = values[base + 2].int,
                let reset = values[base + 3].int
            else {
                throw RedisError.protocolViolation("unexpected GCRA reply \(reply)")
            }
            return Verdict(
                replayed: allowed == -1, allowed: allowed == 1, remaining: remaining, retryAfterMicroseconds: retry, resetAfterMicroseconds: reset
            )
        }
    }

    /// GCRA on Redis's clock, in whole microseconds (exact in Lua's doubles), for each check in
    /// order. KEYS[2i-1]: a TAT; KEYS[2i]: a nonce; ARGV[3i-2]: the emission interval (µs);
    /// ARGV[3i-1]: the burst; ARGV[3i]: how long to keep the nonce (ms), 0 for no nonce.
    /// Returns, per check, {allowed 0|1 (-1: the nonce was used already, nothing decided),
    /// remaining, retry after µs, reset after µs}, flattened.
    static let script = RedisScript("""
    local time = redis.call('TIME')
    local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
    local out = {}
    for i = 1, #KEYS / 2 do
      local interval = tonumber(ARGV[3 * i - 2])
      local burst = tonumber(ARGV[3 * i - 1])
      local nonce_ms = tonumber(ARGV[3 * i])
      local tolerance = interval * (burst - 1)
      local tat = tonumber(redis.call('GET', KEYS[2 * i - 1])) or now
      if tat < now then tat = now end
      local allow_at = tat - tolerance
      if nonce_ms > 0 and not redis.call('SET', KEYS[2 * i], '1', 'NX', 'PX', nonce_ms) then
        out[#out + 1] = -1
        out[#out + 1] = 0
        out[#out + 1] = 0
        out[#out + 1] = 0
      elseif now < allow_at - 1 then
        out[#out + 1] = 0
        out[#out + 1] = 0
        out[#out + 1] = math.ceil(allow_at - now)
        out[#out + 1] = math.ceil(tat - now)
      else
        local next_tat = tat + interval
        local used = next_tat - now
        redis.call('SET', KEYS[2 * i - 1], string.format('%.0f', next_tat), 'PX', math.ceil(used / 1000) + 1)
        local remaining = math.floor((tolerance + interval - used) / interval + 0.0001)
        if remaining > burst - 1 then remaining = burst - 1 end
        if remaining < 0 then remaining = 0 end
        out[#out + 1] = 1
        out[#out + 1] = remaining
        out[#out + 1] = 0
        out[#out + 1] = math.ceil(used)
      end
    end
    return out
    """)
}
