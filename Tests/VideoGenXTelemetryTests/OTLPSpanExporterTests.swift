import Foundation
import Logging
import ServiceLifecycle
import Testing
import Tracing
import VideoGenXTestSupport
@testable import VideoGenXTelemetry

/// The exporter against the OTLP receiver the tracing end-to-end test uses
/// (`tools/otel/otlp_receiver.py`, which decodes with the OpenTelemetry protobuf definitions).
@Suite("OTLP span exporter", .serialized, .timeLimit(.minutes(2)))
struct OTLPSpanExporterTests {
    /// Runs `exporter` in a service group until `body` returns, then shuts it down gracefully.
    func running(_ exporter: OTLPSpanExporter, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(configuration: .init(services: [exporter], logger: Logger(label: "test")))
        try await withThrowingTaskGroup { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("spans still buffered at graceful shutdown are sent before the exporter stops; a full batch leaves before the interval", .enabled(if: OTLPTracerTests.pythonAvailable))
    func flushesOnShutdown() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-otlp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let spansFile = directory.appendingPathComponent("spans.jsonl")
        let receiver = try ToolServer()
        try await receiver.start(OTLPTracerTests.python, arguments: [
            OTLPTracerTests.root.appendingPathComponent("tools/otel/otlp_receiver.py").path, String(receiver.port), spansFile.path,
        ])
        defer { receiver.stop() }
        @Sendable func received() -> [String] {
            ((try? String(contentsOf: spansFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let settings = TracingSettings(endpoint: receiver.endpoint + "/", serviceName: "exporter-test")
        let (tracer, exporter) = settings.makeBackend(role: "api", logger: Logger(label: "test"), exportInterval: .seconds(600))
        try await running(exporter) {
            // 512 spans (one batch) go at once, long before the 10-minute interval.
            for index in 0..<512 { tracer.startSpan("batch-\(index)", context: .topLevel, ofKind: .internal).end() }
            try await eventually(seconds: 20) { received().count == 512 }
            for index in 0..<3 { tracer.startSpan("tail-\(index)", context: .topLevel, ofKind: .internal).end() }
        }
        let lines = received()
        #expect(lines.count == 515 && lines.filter { $0.contains(#""name": "tail-"#) }.count == 3, "the tail left at shutdown")
        #expect(lines.allSatisfy { $0.contains(#""service": "exporter-test""#) && $0.contains(#""role": "api""#) })
    }

    @Test("an unreachable collector neither blocks the traced work nor the shutdown")
    func unreachableCollector() async throws {
        let closed = try LoopbackPort.free()
        let settings = TracingSettings(endpoint: "http://127.0.0.1:\(closed)")
        let (tracer, exporter) = settings.makeBackend(role: "worker", logger: Logger(label: "test"), exportInterval: .milliseconds(50))
        let started = ContinuousClock.now
        try await running(exporter) {
            for _ in 0..<2000 { tracer.startSpan("s", context: .topLevel, ofKind: .internal).end() }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(ContinuousClock.now - started < .seconds(12), "a pass costs one 2 s connect timeout, not one per batch")
    }
}
