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
    private static let alphabetUTF8 = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    private static let alphabetBytes = Set("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new identifier for a task created at `date`, with randomness from `generator`.
    public static func make<G: RandomNumberGenerator>(at date: Date, using generator: inout G) -> TaskID {
        // UTC fields by integer arithmetic: a Calendar, a TimeZone lookup and String(format:) per
        // id cost a submission more than its SQL insert did (docs/benchmarks.md).
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.floorDivided(by: 1000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSince1970: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(length)
        bytes.append(contentsOf: "vid".utf8)
        appendDigits(year, width: 4, to: &bytes)
        appendDigits(month, width: 2, to: &bytes)
        appendDigits(day, width: 2, to: &bytes)
        appendDigits(secondOfDay / 3600, width: 2, to: &bytes)
        appendDigits(secondOfDay / 60 % 60, width: 2, to: &bytes)
        appendDigits(secondOfDay % 60, width: 2, to: &bytes)
        appendDigits(milliseconds - seconds * 1000, width: 3, to: &bytes)
        // 80 random bits, 5 at a time, into 16 base32 characters.
        var bits = (UInt128(generator.next()) << 16) | UInt128(generator.next() & 0xFFFF)
        for _ in 0..<16 {
            bytes.append(alphabetUTF8[Int(bits & 31)])
            bits >>= 5
        }
        return TaskID(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `value` in decimal, zero-padded to `width` digits (more when it needs more).
    private static func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        var count = 1
        var probe = max(0, value)
        while probe >= 10 {
            probe /= 10
            count += 1
        }
        var index = bytes.count + max(width, count) - 1
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, count)))
        var rest = max(0, value)
        while rest > 0 {
            bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
            index -= 1
        }
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

extension Int {
    /// Division rounding toward minus infinity (times before 1970 stay on the right day).
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
