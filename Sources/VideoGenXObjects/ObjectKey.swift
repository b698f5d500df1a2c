/// A validated object key: `/`-separated segments of `A–Z a–z 0–9 . _ -`, no empty, `.` or `..`
/// segment, no leading `/`, at most 512 characters. Keys built from user input go through
/// ``init(_:)``, so no key can escape the store's root (no path traversal).
public struct ObjectKey: Sendable, Hashable, CustomStringConvertible {
    /// The key text.
    public let rawValue: String

    /// Longest accepted key.
    public static let maxLength = 512

    /// Validates `text` as a key.
    /// - Throws: ``ObjectStoreError`` `invalidKey` naming the reason.
    public init(_ text: String) throws(ObjectStoreError) {
        guard !text.isEmpty, text.utf8.count <= Self.maxLength else {
            throw ObjectStoreError(.invalidKey, "object keys are 1–\(Self.maxLength) bytes, got \(text.utf8.count)")
        }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw ObjectStoreError(.invalidKey, "object key '\(text)' has an empty, '.' or '..' segment")
            }
            guard segment.utf8.allSatisfy(Self.isAllowed) else {
                throw ObjectStoreError(.invalidKey, "object key '\(text)' may hold only A–Z a–z 0–9 . _ - and /")
            }
        }
        rawValue = text
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }

    /// The key text.
    public var description: String { rawValue }
}
