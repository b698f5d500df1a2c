import Synchronization
import W3CTraceContext

/// Random trace and span ids for ``OTLPTracer``: xoshiro256** seeded once from the system's
/// generator. `TraceID.random()` asks the kernel (`getrandom`) for every 8 bytes, three system
/// calls per request span; W3C trace context wants ids unique and random, not secret.
final class SpanIDSource: Sendable {
    private let generator: Mutex<Xoshiro256StarStar>

    /// A source seeded from `seed` (the system generator unless a test passes its own).
    init<Seed: RandomNumberGenerator>(seed: inout Seed) {
        generator = Mutex(Xoshiro256StarStar(seed: &seed))
    }

    /// A source seeded from the system generator.
    convenience init() {
        var system = SystemRandomNumberGenerator()
        self.init(seed: &system)
    }

    /// A new trace id and the id of its first span.
    func newTrace() -> (TraceID, SpanID) {
        generator.withLock { generator in (TraceID.random(using: &generator), SpanID.random(using: &generator)) }
    }

    /// A new span id.
    func newSpan() -> SpanID {
        generator.withLock { SpanID.random(using: &$0) }
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna): a fast 64-bit generator with 256 bits of state.
struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator with this exact state (not all zero).
    init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** needs a non-zero state")
        self.state = state
    }

    /// A generator whose state is drawn from `seed` (redrawn in the 2⁻²⁵⁶ case of all zeros).
    init<Seed: RandomNumberGenerator>(seed: inout Seed) {
        var state = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while state == (0, 0, 0, 0) {
            state = (seed.next(), seed.next(), seed.next(), seed.next())
        }
        self.init(state: state)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotate(state.3, 45)
        return result
    }

    private func rotate(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
