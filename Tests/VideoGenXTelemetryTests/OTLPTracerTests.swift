import Foundation
import Testing
import Tracing
import W3CTraceContext
@testable import VideoGenXTelemetry

/// The hand-written tracer: sampling, propagation and span recording, and its OTLP protobuf
/// encoding read back by the OpenTelemetry protobuf definitions (`.venv-otel`, as the tracing
/// end-to-end test's receiver).
@Suite("OTLP tracer")
struct OTLPTracerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Carrier: Injector, Extractor {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
        func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
    }

    func headers(_ tracer: OTLPTracer, of context: ServiceContext) -> [String: String] {
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: Carrier())
        return carrier
    }

    @Test("a child span continues its parent's trace and names it as parent; an ended span is queued once, with its name, attributes, events and status")
    func childSpans() throws {
        let buffer = SpanBuffer()
        let tracer = OTLPTracer(samplingRatio: 1, buffer: buffer)
        let root = tracer.startSpan("request", context: .topLevel, ofKind: .server)
        let child = tracer.startSpan("store.insert", context: root.context, ofKind: .internal)
        child.attributes["db.rows"] = 3
        child.addEvent(SpanEvent(name: "retry"))
        child.setStatus(SpanStatus(code: .ok))
        child.setStatus(SpanStatus(code: .error, message: "late"))
        child.end()
        child.end()
        root.end()
        let spans = buffer.take().spans
        try #require(spans.count == 2)
        let (ended, parent) = (spans[0], spans[1])
        #expect(ended.name == "store.insert" && ended.trace.traceID == parent.trace.traceID)
        #expect(ended.parent?.trace.spanID == parent.trace.spanID && parent.parent == nil)
        #expect(ended.attributes["db.rows"]?.toSpanAttribute() == .int64(3) && ended.events.map(\.name) == ["retry"])
        #expect(ended.status?.code == .ok, "ok is final")
        #expect(ended.endNanoseconds >= ended.startNanoseconds)
    }

    @Test("typed HTTP attributes: kept by a sampled span and queued with it, ignored by an unsampled one")
    func typedHTTPAttributes() throws {
        let buffer = SpanBuffer()
        let fields = HTTPServerSpanFields(method: "POST", path: "/x", userAgent: "curl/8", requestBodySize: 10)
        let sampled = OTLPTracer(samplingRatio: 1, buffer: buffer).startSpan("POST", context: .topLevel, ofKind: .server)
        sampled.recordHTTPServer(fields)
        sampled.end()
        let unsampled = OTLPTracer(samplingRatio: 0, buffer: buffer).startSpan("POST", context: .topLevel, ofKind: .server)
        unsampled.recordHTTPServer(fields)
        #expect(unsampled.attributes["http.request.method"] == nil)
        unsampled.end()
        let spans = buffer.take().spans
        try #require(spans.count == 1)
        #expect(spans[0].http == fields)
        #expect(fields.attributes["user_agent.original"]?.toSpanAttribute() == .string("curl/8") && fields.attributes["http.request.body.size"]?.toSpanAttribute() == .int64(10))
    }

    @Test("traceparent: injected as W3C, extracted as a remote parent; a sampled incoming trace is recorded even at ratio 0, an unsampled one is not recorded at ratio 1, a malformed one starts a new trace")
    func propagationAndSampling() throws {
        let buffer = SpanBuffer()
        let never = OTLPTracer(samplingRatio: 0, buffer: buffer)
        let always = OTLPTracer(samplingRatio: 1, buffer: buffer)
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        var incoming = ServiceContext.topLevel
        never.extract(["traceparent": "00-\(traceID)-00f067aa0ba902b7-01", "tracestate": "vendor=x"], into: &incoming, using: Carrier())
        let server = never.startSpan("GET", context: incoming, ofKind: .server)
        #expect(server.isRecording)
        let sent = headers(never, of: server.context)
        let traceparent = try #require(sent["traceparent"])
        #expect(traceparent.hasPrefix("00-\(traceID)-") && traceparent.hasSuffix("-01") && !traceparent.contains("00f067aa0ba902b7"))
        #expect(sent["tracestate"] == "vendor=x")
        server.end()
        #expect(buffer.take().spans.first?.parent?.isRemote == true)

        var unsampled = ServiceContext.topLevel
        always.extract(["traceparent": "00-\(traceID)-00f067aa0ba902b7-00"], into: &unsampled, using: Carrier())
        let quiet = always.startSpan("GET", context: unsampled, ofKind: .server)
        quiet.attributes["ignored"] = "yes"
        quiet.end()
        #expect(!quiet.isRecording && buffer.take().spans.isEmpty)
        #expect(headers(always, of: quiet.context)["traceparent"]?.hasSuffix("-00") == true, "the decision travels on")

        let fresh = never.startSpan("root", context: .topLevel, ofKind: .internal)
        #expect(!fresh.isRecording && headers(never, of: fresh.context)["traceparent"]?.count == 55)
        var malformed = ServiceContext.topLevel
        always.extract(["traceparent": "00-zz-00f067aa0ba902b7-01"], into: &malformed, using: Carrier())
        #expect(malformed.carriedSpanContext == nil)
    }

    @Test("ratio sampling keeps about the ratio of new traces")
    func ratio() {
        let buffer = SpanBuffer(capacity: 10_000)
        let tracer = OTLPTracer(samplingRatio: 0.25, buffer: buffer)
        for _ in 0..<4000 { tracer.startSpan("s", context: .topLevel, ofKind: .internal).end() }
        let kept = buffer.take().spans.count
        #expect((800...1200).contains(kept), "\(kept) of 4000 at 0.25")
    }

    @Test("a full buffer drops new spans and counts them; a full batch wakes the exporter")
    func bounded() async {
        let buffer = SpanBuffer(capacity: 3, batchSize: 2)
        let tracer = OTLPTracer(samplingRatio: 1, buffer: buffer)
        for _ in 0..<5 { tracer.startSpan("s", context: .topLevel, ofKind: .internal).end() }
        var wakes = buffer.wakes.makeAsyncIterator()
        #expect(await wakes.next() != nil)
        let (spans, dropped) = buffer.take()
        #expect(spans.count == 3 && dropped == 2)
        #expect(buffer.take().dropped == 0)
    }

    @Test("the OTLP encoding decodes with the OpenTelemetry protobuf definitions: resource, scope, ids, parent, kind, times, attributes of every type, typed HTTP attributes, events, links, status, flags", .enabled(if: Self.pythonAvailable))
    func encodingDecodes() throws {
        let buffer = SpanBuffer()
        let tracer = OTLPTracer(samplingRatio: 1, buffer: buffer)
        let root = tracer.startSpan("GET /task/{id}", context: .topLevel, ofKind: .server)
        let child = tracer.startSpan("callback.post", context: root.context, ofKind: .client)
        child.attributes["s"] = "text"
        child.attributes["i"] = -7
        child.attributes["d"] = 0.5
        child.attributes["b"] = false
        child.attributes.set("a", value: .stringArray(["x", "y"]))
        child.addEvent(SpanEvent(name: "sampler.step", attributes: ["step": 2]))
        child.addLink(SpanLink(context: root.context, attributes: [:]))
        child.recordError(CocoaError(.fileNoSuchFile))
        child.setStatus(SpanStatus(code: .error, message: "refused"))
        child.end()
        // A path past 127 and a query past 16,383 bytes: lengths of two and three varint bytes.
        let longPath = "/api/v1/video/task/" + String(repeating: "p", count: 200)
        let longQuery = "signature=REDACTED&q=" + String(repeating: "é", count: 9000)
        var fields = HTTPServerSpanFields(method: "GET", path: longPath, query: longQuery, requestBodySize: 0)
        fields.route = "/task/{id}"
        fields.statusCode = 200
        fields.responseBodySize = 512
        root.recordHTTPServer(fields)
        root.attributes["extra"] = "kept"
        #expect(root.attributes["http.route"]?.toSpanAttribute() == .string("/task/{id}") && root.attributes["extra"] != nil, "read back merged")
        root.end()
        let spans = buffer.take().spans
        let bytes = OTLPTraceEncoding.request(spans, resource: ["service.name": "videogenx", "videogenx.role": "api"], scope: "videogenx")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("otlp-\(UUID().uuidString).bin")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let decoded = try Self.decode(file)
        let resourceSpans = try #require((decoded["resourceSpans"] as? [[String: Any]])?.first)
        let resource = (resourceSpans["resource"] as? [String: Any])?["attributes"] as? [[String: Any]] ?? []
        #expect(resource.contains { $0["key"] as? String == "videogenx.role" && ($0["value"] as? [String: Any])?["stringValue"] as? String == "api" })
        let scopeSpans = try #require((resourceSpans["scopeSpans"] as? [[String: Any]])?.first)
        #expect((scopeSpans["scope"] as? [String: Any])?["name"] as? String == "videogenx")
        let decodedSpans = try #require(scopeSpans["spans"] as? [[String: Any]])
        try #require(decodedSpans.count == 2)
        let (callback, request) = (decodedSpans[0], decodedSpans[1])
        // MessageToDict writes bytes as base64.
        func hex(_ value: Any?) -> String { Data(base64Encoded: value as? String ?? "")?.map { String(format: "%02x", $0) }.joined() ?? "" }
        #expect(hex(callback["traceId"]) == "\(spans[0].trace.traceID)" && hex(callback["spanId"]) == "\(spans[0].trace.spanID)")
        #expect(hex(callback["parentSpanId"]) == hex(request["spanId"]) && request["parentSpanId"] == nil)
        #expect(callback["name"] as? String == "callback.post" && callback["kind"] as? String == "SPAN_KIND_CLIENT" && request["kind"] as? String == "SPAN_KIND_SERVER")
        #expect(callback["startTimeUnixNano"] as? String == String(spans[0].startNanoseconds) && callback["endTimeUnixNano"] as? String == String(spans[0].endNanoseconds))
        let attributes = Dictionary(uniqueKeysWithValues: (callback["attributes"] as? [[String: Any]] ?? []).map { ($0["key"] as? String ?? "", $0["value"] as? [String: Any] ?? [:]) })
        #expect(attributes["s"]?["stringValue"] as? String == "text" && attributes["i"]?["intValue"] as? String == "-7")
        #expect(attributes["d"]?["doubleValue"] as? Double == 0.5 && attributes["b"]?["boolValue"] as? Bool == false)
        #expect(((attributes["a"]?["arrayValue"] as? [String: Any])?["values"] as? [[String: Any]])?.compactMap { $0["stringValue"] as? String } == ["x", "y"])
        let http = Dictionary(uniqueKeysWithValues: (request["attributes"] as? [[String: Any]] ?? []).map { ($0["key"] as? String ?? "", $0["value"] as? [String: Any] ?? [:]) })
        #expect(http["http.request.method"]?["stringValue"] as? String == "GET" && http["url.path"]?["stringValue"] as? String == longPath)
        #expect(http["url.query"]?["stringValue"] as? String == longQuery && http["http.route"]?["stringValue"] as? String == "/task/{id}")
        #expect(http["http.response.status_code"]?["intValue"] as? String == "200" && http["http.response.body.size"]?["intValue"] as? String == "512")
        #expect(http["http.request.body.size"] != nil && (http["http.request.body.size"]?["intValue"] as? String ?? "0") == "0", "a zero int is present")
        #expect(http["extra"]?["stringValue"] as? String == "kept" && http["user_agent.original"] == nil && http.count == 8, "\(http.keys)")
        let events = callback["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["name"] as? String } == ["sampler.step", "exception"])
        #expect(((events.first?["attributes"] as? [[String: Any]])?.first?["value"] as? [String: Any])?["intValue"] as? String == "2")
        #expect(hex((callback["links"] as? [[String: Any]])?.first?["spanId"]) == hex(request["spanId"]))
        #expect((callback["status"] as? [String: Any])?["code"] as? String == "STATUS_CODE_ERROR" && (callback["status"] as? [String: Any])?["message"] as? String == "refused")
        #expect(callback["flags"] as? Int == 0x101, "sampled, parent local")
    }

    static var python: URL { root.appendingPathComponent(".venv-otel/bin/python") }
    static var pythonAvailable: Bool { FileManager.default.isExecutableFile(atPath: python.path) }

    /// The request decoded by opentelemetry-proto and printed by protobuf's `MessageToDict`.
    static func decode(_ file: URL) throws -> [String: Any] {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", """
            import json, sys
            from google.protobuf.json_format import MessageToDict
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
            request = ExportTraceServiceRequest()
            request.ParseFromString(open(sys.argv[1], "rb").read())
            print(json.dumps(MessageToDict(request)))
            """, file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the decoder refused the bytes")
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
