/// Keeps the last `capacity` bytes of a child's stderr, so an error can quote what the tool
/// said last without holding everything it ever printed.
struct StderrTail: Sendable {
    /// Bytes kept. Default 4 KiB.
    let capacity: Int
    private var bytes: [UInt8] = []

    /// An empty tail keeping up to `capacity` bytes.
    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Appends output, dropping the oldest bytes past `capacity`.
    mutating func append(_ chunk: some Collection<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > capacity {
            bytes.removeFirst(bytes.count - capacity)
        }
    }

    /// The kept text, trimmed of surrounding blank lines.
    var text: String {
        String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .joined(separator: "\n")
    }
}
