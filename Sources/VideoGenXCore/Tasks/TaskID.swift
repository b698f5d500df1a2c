import Foundation

/// A task's public identifier: `vid`, the UTC creation time to the millisecond
/// (`yyyyMMddHHmmssSSS`), then 80 random bits in Crockford base32 — 36 characters, URL-safe,
/// sortable by creation time, and not guessable.
public struct TaskID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The identifier text.
    public let rawValue: String

    /// Wraps an identifier, or `nil` when `rawValue` is not one (wrong prefix, length or alphabet).
    public init?(rawValue: String) {
        // Checked byte by byte: IDs are parsed on every stored row and every request path.
        var utf8 = rawValue.utf8.makeIterator()
        var index = 0
        while let byte = utf8.next() {
            let valid: Bool
            switch index {
            case 0: valid = byte == UInt8(ascii: "v")
            case 1: valid = byte == UInt8(ascii: "i")
            case 2: valid = byte == UInt8(ascii: "d")
            case 3..<20: valid = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            case 20..<Self.length: valid = Self.alphabetBytes.contains(byte)
            default: valid = false
            }
            guard valid else { return nil }
            index += 1
        }
        guard index == Self.length else { return nil }
        self.rawValue = rawValue
    }

    /// Length of every identifier.
    public static let length = 3 + 17 + 16
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    private static let alphabetBytes = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

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
