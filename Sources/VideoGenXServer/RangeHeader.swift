import VideoGenXObjects

/// Parses an HTTP `Range` header of a single byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`).
/// Multiple ranges and other units are not supported: such a header is ignored (RFC 9110 allows
/// serving the whole representation instead).
enum RangeHeader {
    /// The range, or `nil` when the header is absent, not `bytes=`, or lists several ranges.
    static func parse(_ value: String?) -> ByteRange? {
        guard let value, value.hasPrefix("bytes="), !value.contains(",") else { return nil }
        let spec = value.dropFirst("bytes=".count)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        switch (Int(parts[0]), Int(parts[1]), parts[0].isEmpty, parts[1].isEmpty) {
        case (let first?, let last?, _, _): return .closed(first: first, last: last)
        case (let first?, nil, _, true): return .from(first)
        case (nil, let count?, true, _): return .suffix(count)
        default: return nil
        }
    }
}
