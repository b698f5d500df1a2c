import Testing
@testable import VideoGenXClient

@Suite("Server-Sent Events parser")
struct ServerSentEventParserTests {
    @Test("Events split across arbitrary chunks, with CRLF or LF, comments and multi-line data, come out whole")
    func chunks() {
        let stream = ": keep-alive\r\n\r\nid: 17\r\nevent: progress\r\ndata: {\"a\":1}\r\n\r\nid: 18\nevent: succeeded\ndata: line one\ndata: line two\n\n"
        let expected = [
            ServerSentEventParser.Event(id: "17", event: "progress", data: #"{"a":1}"#),
            ServerSentEventParser.Event(id: "18", event: "succeeded", data: "line one\nline two"),
        ]
        for size in [1, 2, 3, 7, 1000] {
            var parser = ServerSentEventParser()
            let bytes = Array(stream.utf8)
            var events: [ServerSentEventParser.Event] = []
            for start in stride(from: 0, to: bytes.count, by: size) {
                events += parser.consume(bytes[start..<min(start + size, bytes.count)])
            }
            #expect(events == expected, "chunk size \(size)")
        }
    }

    @Test("An event without data is dropped, and the id carries over to later events")
    func idCarriesOver() {
        var parser = ServerSentEventParser()
        let events = parser.consume(Array("id: 5\nevent: ping\n\ndata: x\n\n".utf8))
        #expect(events == [ServerSentEventParser.Event(id: "5", event: nil, data: "x")])
    }
}
