import Foundation

extension Date {
    /// Unix time in whole milliseconds, the store's time format (also the SSE event ids).
    public var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The date of Unix milliseconds, or `nil` for `nil`.
    package init?(milliseconds: Int64?) {
        guard let milliseconds else { return nil }
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
