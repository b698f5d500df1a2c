import VideoGenXCore

/// Coalesces the GCRA checks that arrive while script calls are in flight into the next call:
/// one `EVALSHA` decides a whole batch, key after key, atomically on Redis's clock. Each check is
/// still decided exactly as alone (same key twice in a batch: the second sees the first's TAT), but
/// the round trip, the thread hops and Redis's per-command work are shared — one script call per
/// request cost ~40 µs of API CPU and ~16 µs of Redis CPU (docs/benchmarks.md).
final class GCRABatcher: Sendable {
    /// What the script answered for one check; times in whole microseconds.
    struct Verdict: Sendable {
        var allowed: Bool
        var remaining: Int
        var retryAfterMicroseconds: Int
        var resetAfterMicroseconds: Int
    }

    private struct Check: Sendable {
        var key: String
        var intervalMicroseconds: String
        var burst: String
    }

    private let checks: BatchCoalescer<Check, Verdict>

    /// A batcher on `client`: up to two script calls in flight (each atomic in Redis, so two
    /// batches never split a check); checks arriving meanwhile go in the next. With one, a check
    /// arriving just after a call left waited for that call's whole round trip first.
    init(client: RedisClient) {
        checks = BatchCoalescer(maxInFlight: 2) { batch in try await Self.decide(batch, on: client) }
    }

    /// Decides one request against the TAT stored at `key`.
    /// - Throws: ``RedisError`` when the batch's script call failed.
    func check(key: String, intervalMicroseconds: Double, burst: Int) async throws -> Verdict {
        try await checks.submit(Check(key: key, intervalMicroseconds: String(intervalMicroseconds), burst: String(burst)))
    }

    /// One script call for `batch`, its reply split into one verdict per check.
    private static func decide(_ batch: [Check], on client: RedisClient) async throws -> [Verdict] {
        var arguments: [String] = []
        arguments.reserveCapacity(2 * batch.count)
        for check in batch {
            arguments.append(check.intervalMicroseconds)
            arguments.append(check.burst)
        }
        // Already a batch: written at once, not queued behind the client's own coalescing.
        let reply = try await client.evaluate(Self.script, keys: batch.map(\.key), arguments: arguments, coalesced: false)
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
            return Verdict(allowed: allowed == 1, remaining: remaining, retryAfterMicroseconds: retry, resetAfterMicroseconds: reset)
        }
    }

    /// GCRA on Redis's clock, in whole microseconds (exact in Lua's doubles), for each key in order.
    /// KEYS[i]: a TAT; ARGV[2i-1]: its emission interval (µs); ARGV[2i]: its burst.
    /// Returns, per key, {allowed 0|1, remaining, retry after µs, reset after µs}, flattened.
    static let script = RedisScript("""
    local time = redis.call('TIME')
    local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
    local out = {}
    for i = 1, #KEYS do
      local interval = tonumber(ARGV[2 * i - 1])
      local burst = tonumber(ARGV[2 * i])
      local tolerance = interval * (burst - 1)
      local tat = tonumber(redis.call('GET', KEYS[i])) or now
      if tat < now then tat = now end
      local allow_at = tat - tolerance
      if now < allow_at - 1 then
        out[#out + 1] = 0
        out[#out + 1] = 0
        out[#out + 1] = math.ceil(allow_at - now)
        out[#out + 1] = math.ceil(tat - now)
      else
        local next_tat = tat + interval
        local used = next_tat - now
        redis.call('SET', KEYS[i], string.format('%.0f', next_tat), 'PX', math.ceil(used / 1000) + 1)
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
