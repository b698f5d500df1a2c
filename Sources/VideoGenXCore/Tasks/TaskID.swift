import Foundation

/// A task's public identifier: `vid`, the UTC creation time to the millisecond
/// (`yyyyMMddHHmmssSSS`), then 80 random bits in Crockford base32 — 36 characters, URL-safe,
/// sortable by creation time, and not guessable.
public struct TaskID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The identifier text.
    public let rawValue: String

    /// Wraps an identifier, or `nil` when `rawValue` is not one (wrong prefix, length or alphabet).
    public init?(rawValue: String) {
        guard rawValue.count == Self.length, rawValue.hasPrefix("vid"),
              rawValue.dropFirst(3).prefix(17).allSatisfy(\.isASCIIDigitCharacter),
              rawValue.suffix(16).allSatisfy({ Self.alphabet.contains($0) })
        else { return nil }
        self.rawValue = rawValue
    }

    /// Length of every identifier.
    public static let length = 3 + 17 + 16
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// A new identifier for a task created at `date`, with randomness from `generator`.
    public static func make<G: RandomNumberGenerator>(at date: Date, using generator: inout G) -> TaskID {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let stamp = String(
            format: "%04d%02d%02d%02d%02d%02d%03d",
            parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, millis
        )
        // 80 random bits, 5 at a time, into 16 base32 characters.
        var bits = (UInt128(generator.next()) << 16) | UInt128(generator.next() & 0xFFFF)
        var random = ""
        for _ in 0..<16 {
            random.append(alphabet[Int(bits & 31)])
            bits >>= 5
        }
        return TaskID(unchecked: "vid" + stamp + random)
    }

    /// A new identifier with system randomness.
    public static func make(at date: Date) -> TaskID {
        var generator = SystemRandomNumberGenerator()
        return make(at: date, using: &generator)
    }

    private init(unchecked: String) {
        rawValue = unchecked
    }

    /// Orders by creation time (then randomness).
    public static func < (lhs: TaskID, rhs: TaskID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The identifier text.
    public var description: String { rawValue }
}

private extension Character {
    var isASCIIDigitCharacter: Bool { ("0"..."9").contains(self) }
}
