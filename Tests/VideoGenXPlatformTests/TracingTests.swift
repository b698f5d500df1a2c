import Foundation
import Testing
import VideoGenXPlatform
import VideoGenXTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// OpenTelemetry traces for real: `videogenx api` and `videogenx worker` (on the throwaway
/// PostgreSQL) export OTLP/HTTP to a receiver that decodes them with the OpenTelemetry protobuf
/// definitions (`tools/otel/otlp_receiver.py`, `.venv-otel`). One task's spans, from both
/// processes, share the trace id of the client's `traceparent`.
@Suite("Tracing", .serialized, .timeLimit(.minutes(5)))
final class TracingTests: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-tracing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A span as the receiver wrote it.
    struct Span: Decodable {
        var traceID: String
        var spanID: String
        var parentSpanID: String
        var name: String
        var kind: String
        var role: String?
        var attributes: [String: AttributeValue]
        var events: [String]
        enum CodingKeys: String, CodingKey {
            case traceID = "trace_id", spanID = "span_id", parentSpanID = "parent_span_id", name, kind, role, attributes, events
        }
    }

    /// A span attribute's value (string, int, double or bool), as text.
    struct AttributeValue: Decodable, CustomStringConvertible {
        var description: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                description = text
            } else if let number = try? container.decode(Double.self) {
                description = String(number)
            } else {
                description = String(try container.decode(Bool.self))
            }
        }
    }

    @Test(
        "api + worker on PostgreSQL export one task's spans under the client's trace id: the request's server span parents validation, the store insert, the worker's claim, its render (assets, model acquire, sampling windows with step events, decode, encode, upload, complete) and the callback POST, which carries the traceparent; worker log lines carry the trace id; no span holds a URL signature; the worker serves /metrics on its own port",
        .enabled(if: PostgresTestServer.enabled)
    )
    func oneTraceAcrossProcesses() async throws {
        let python = Self.root.appendingPathComponent(".venv-otel/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "run scripts/install-otel-deps.sh (make test does)")
        let spansFile = directory.appendingPathComponent("spans.jsonl")
        let receiver = try ToolServer()
        try await receiver.start(python, arguments: [
            Self.root.appendingPathComponent("tools/otel/otlp_receiver.py").path, String(receiver.port), spansFile.path,
        ], log: directory.appendingPathComponent("receiver.log"))
        defer { receiver.stop() }
        let database = try await PostgresTestServer.makeDatabase()
        let environment = [
            "VIDEOGENX_STORE_URL": database.url, "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1",
            "VIDEOGENX_OTEL_ENDPOINT": receiver.endpoint, "VIDEOGENX_LOG_FORMAT": "json",
        ]
        let traceID = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let clientSpan = "00f067aa0ba902b7"
        let hooks = WebhookReceiver()
        let workerLog = directory.appendingPathComponent("worker.log")
        let directory = self.directory
        let (taskID, signature) = try await hooks.run { port in
            try await ServeProcess.with("api", dataDirectory: directory, arguments: ["--url-allowlist", "127.0.0.1"], environment: environment) { api in
                try await ServeProcess.with(
                    "worker", dataDirectory: directory, arguments: ["--url-allowlist", "127.0.0.1", "--log-level", "info"], environment: environment,
                    logFile: workerLog
                ) { worker in
                    let body = #"{"callback_url":"http://127.0.0.1:\#(port)/hook","text":"a kite over a beach","params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":3}}"#
                    let (status, json) = try await api.request(
                        "POST", "/api/v1/video/generate", body: body, headers: ["traceparent": "00-\(traceID)-\(clientSpan)-01"]
                    )
                    #expect(status == 202, "\(json)")
                    let id = try #require((json["data"] as? [String: Any])?["task_id"] as? String)
                    #expect((json["data"] as? [String: Any])?["query_url"] as? String == api.base + "/api/v1/video/task/\(id)", "absolute, on http.public_url")
                    let task = try await api.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
                    #expect(task["status"] as? String == "succeeded", "\(task)")
                    let videoURL = try #require((task["result"] as? [String: Any])?["video_url"] as? String)
                    let (video, _) = try await URLSession.shared.data(from: URL(string: videoURL)!)
                    #expect(video.count > 1000)
                    try await eventually { hooks.count >= 1 }
                    // The worker role serves /metrics on its health port.
                    let (metrics, _) = try await URLSession.shared.data(from: URL(string: worker.base + "/metrics")!)
                    let exposition = String(decoding: metrics, as: UTF8.self)
                    #expect(exposition.contains("videogenx_batch_steps_total") && exposition.contains(#"videogenx_tasks_finished_total{status="succeeded",reason="none"} 1"#))
                    let signature = URLComponents(string: videoURL)?.queryItems?.first { $0.name == "signature" }?.value ?? ""
                    // Spans leave every second (batch export): wait for the callback's.
                    try await eventually(seconds: 20) {
                        (try? String(contentsOf: spansFile, encoding: .utf8))?.contains("callback.post") == true
                    }
                    return (id, signature)
                }
            }
        }
        #expect(hooks.requests.first?.traceparent?.contains(traceID) == true, "the callback POST carries the trace: \(String(describing: hooks.requests.first?.traceparent))")
        let spans = try String(contentsOf: spansFile, encoding: .utf8).split(separator: "\n")
            .map { try JSONDecoder().decode(Span.self, from: Data($0.utf8)) }
        let trace = spans.filter { $0.traceID == traceID }
        func one(_ name: String, role: String) throws -> Span {
            try #require(trace.first { $0.name == name && $0.role == role }, "\(name) from \(role) in \(trace.map { "\($0.role ?? "?"):\($0.name)" })")
        }
        let request = try one("/api/v1/video/generate", role: "api")
        #expect(request.kind == "SPAN_KIND_SERVER" && request.parentSpanID == clientSpan, "the incoming traceparent is honoured")
        #expect(request.attributes["http.request.method"]?.description == "POST", "\(request.attributes)")
        #expect(request.attributes["http.route"]?.description == "/api/v1/video/generate" && request.attributes["url.path"]?.description == "/api/v1/video/generate")
        #expect(request.attributes["http.response.status_code"].flatMap { Double($0.description) } == 202, "\(request.attributes)")
        for name in ["submission.validate", "store.insert"] {
            #expect(try one(name, role: "api").parentSpanID == request.spanID, "\(name) under the request")
        }
        let claim = try one("task.claim", role: "worker")
        let render = try one("task.render", role: "worker")
        let callback = try one("callback.post", role: "worker")
        #expect(claim.parentSpanID == request.spanID && render.parentSpanID == request.spanID && callback.parentSpanID == request.spanID)
        #expect(render.attributes["videogenx.task.id"]?.description == taskID && callback.kind == "SPAN_KIND_CLIENT")
        for name in ["assets.fetch", "model.acquire", "encode", "upload", "complete"] {
            #expect(try one(name, role: "worker").parentSpanID == render.spanID, "\(name) under task.render")
        }
        #expect(["cold", "warm"].contains(try one("model.acquire", role: "worker").attributes["videogenx.model.kind"]?.description ?? ""))
        let windows = trace.filter { $0.name == "sampling" }
        #expect(!windows.isEmpty && windows.allSatisfy { $0.parentSpanID == render.spanID && $0.events.contains("sampler.step") })
        let decode = try one("decode", role: "worker")
        #expect(windows.contains { $0.spanID == decode.parentSpanID }, "decode under its window")
        // The signed video URL's signature was redacted from the object route's span.
        let text = try String(contentsOf: spansFile, encoding: .utf8)
        #expect(!signature.isEmpty && !text.contains(signature), "no URL signature in any span")
        let download = spans.first { $0.attributes["url.query"]?.description.contains("signature=REDACTED") == true }
        #expect(download?.kind == "SPAN_KIND_SERVER", "the video download's query is recorded with its signature redacted")
        // The worker's lines about the task carry the trace id.
        let lines = try String(contentsOf: workerLog, encoding: .utf8).split(separator: "\n")
        let traced = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["task_id"] as? String == taskID && $0["trace_id"] as? String == traceID && $0["span_id"] is String }
        #expect(!traced.isEmpty, "a worker line with task_id and trace_id")
    }
}
