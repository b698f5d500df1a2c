import Foundation

extension TaskID {
    /// The creation time the identifier carries (to the millisecond, rounded down), or `nil` when
    /// its digits are not a calendar time. Lets a partitioned store find a task's partition
    /// from its id alone.
    public var timestamp: Date? {
        let digits = Array(rawValue.utf8.dropFirst(3).prefix(17)).map { Int($0) - Int(UInt8(ascii: "0")) }
        guard digits.count == 17 else { return nil }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        var components = DateComponents()
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = number(8..<10)
        components.minute = number(10..<12)
        components.second = number(12..<14)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        guard components.isValidDate(in: calendar), let seconds = calendar.date(from: components) else { return nil }
        return seconds.addingTimeInterval(Double(number(14..<17)) / 1000)
    }
}
