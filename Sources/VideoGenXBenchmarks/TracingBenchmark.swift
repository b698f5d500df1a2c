import Foundation
import Instrumentation
import Logging
import Tracing
import VideoGenXClient
import VideoGenXTelemetry

/// The CPU a request span costs with VideoGenX's OTLP tracer: the request tracing middleware's
/// steps (start under the request's context, bind it as the task's context, name it, hand it
/// its HTTP fields, end it), then the export — batching, protobuf encoding and the POST to a
/// collector at `endpoint` — against the same steps with swift-distributed-tracing's no-op
/// tracer, in alternating rounds of one process. Reports CPU nanoseconds per span (all threads,
/// from `getrusage`), steadier than a throughput ratio on a shared machine.
public struct TracingBenchmark: Sendable {
    /// The OTLP/HTTP collector the spans go to (`tools/otel/otlp_receiver.py` in the script).
    public var endpoint: String
    /// Spans per round and side. Default 200,000.
    public var spans: Int
    /// Rounds per side; medians are reported. Default 3.
    public var rounds: Int

    /// Creates the benchmark; defaults as documented on each property.
    public init(endpoint: String, spans: Int = 200_000, rounds: Int = 3) {
        self.endpoint = endpoint
        self.spans = spans
        self.rounds = rounds
    }

    /// CPU nanoseconds per span of each side, one value per round.
    public struct Report: Sendable {
        /// With the OTLP tracer, export included.
        public var otlp: [Double] = []
        /// With the no-op tracer (the middleware's own steps).
        public var noOp: [Double] = []
        /// What recording and exporting one span adds: the difference of the medians.
        public var perSpan: Double { otlp.median - noOp.median }
    }

    /// Runs the rounds; `progress` receives a line per round.
    public func run(progress: (String) -> Void) async throws -> Report {
        let (tracer, exporter) = TracingSettings(endpoint: endpoint).makeBackend(role: "bench", logger: Logger(label: "videogenx.bench.tracing"))
        let exporting = Task { try await exporter.run() }
        var report = Report()
        for round in 1...rounds {
            report.otlp.append(await measure(tracer) { tracer.forceFlush() })
            report.noOp.append(await measure(NoOpTracer()) {})
            progress(String(format: "round %d: OTLP %.0f ns/span, no-op %.0f ns/span (CPU)", round, report.otlp.last!, report.noOp.last!))
        }
        // Cancelled, the exporter sends what is left and shuts its HTTP client down.
        exporting.cancel()
        _ = try? await exporting.value
        return report
    }

    /// CPU per span of `spans` request spans on `tracer`, including what the exporter does for
    /// them: `flush` asks it to send what is left, and the window waits for it.
    private func measure<T: Tracer>(_ tracer: T, flush: () -> Void) async -> Double {
        try? await Task.sleep(for: .milliseconds(300))
        let start = ProcessCPU.now()
        for index in 0..<spans {
            let span = tracer.startSpan("GET", context: ServiceContext.current ?? .topLevel, ofKind: .server)
            var fields = HTTPServerSpanFields(method: "GET", path: "/api/v1/video/task/t-\(index & 1023)", userAgent: "wrk", requestBodySize: nil)
            ServiceContext.$current.withValue(span.context) { _ = ServiceContext.current }
            span.operationName = "/api/v1/video/task/{id}"
            fields.route = "/api/v1/video/task/{id}"
            fields.statusCode = 200
            fields.responseBodySize = 412
            if let recording = span as? any HTTPServerSpanRecording { recording.recordHTTPServer(fields) }
            span.end()
            // Paced as a server's requests would be: the exporter keeps up (its buffer would drop
            // what overflows, which costs nothing and would flatter the figure).
            if index % 2048 == 2047 {
                flush()
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        flush()
        try? await Task.sleep(for: .milliseconds(700))
        return (ProcessCPU.now() - start) / Double(spans) * 1e9
    }
}
