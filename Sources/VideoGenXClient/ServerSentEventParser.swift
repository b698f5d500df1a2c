/// Splits a `text/event-stream` into events (the WHATWG "event stream interpretation", minus
/// `retry`): fields `id`, `event` and `data` (several `data` lines join with `\n`); comment
/// lines (`:`) are skipped; a blank line ends an event. Bytes arrive in arbitrary chunks.
///
/// Hand-written because the listed SSE client (mattt/EventSource 1.1.1) does not build on Linux
/// (it needs `URLSession.bytes`).
struct ServerSentEventParser {
    /// One event.
    struct Event: Sendable, Hashable {
        var id: String?
        var event: String?
        var data: String
    }

    private var line: [UInt8] = []
    private var skipLineFeed = false
    private var id: String?
    private var event: String?
    private var data: [String] = []

    /// Feeds `bytes`; returns the events they complete.
    mutating func consume(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if skipLineFeed {
                skipLineFeed = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
                line.append(byte)
                continue
            }
            skipLineFeed = byte == UInt8(ascii: "\r")
            if let complete = endLine() { events.append(complete) }
        }
        return events
    }

    /// Handles the line just ended; returns an event when it was the blank line ending one.
    private mutating func endLine() -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            defer { (event, data) = (nil, []) }
            return data.isEmpty ? nil : Event(id: id, event: event, data: data.joined(separator: "\n"))
        }
        guard line.first != UInt8(ascii: ":") else { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let field = String(parts[0])
        var value = parts.count > 1 ? String(parts[1]) : ""
        if value.hasPrefix(" ") { value.removeFirst() }
        switch field {
        case "id": id = value
        case "event": event = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
