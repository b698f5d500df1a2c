import Instrumentation
import Logging
import ServiceLifecycle
import Tracing
import W3CTraceContext

/// Tracing through swift-distributed-tracing, exported over OTLP/HTTP (protobuf) to
/// `otel.endpoint` (a collector, Jaeger, Tempo) by ``OTLPTracer``: bootstrapped once, by the
/// composition root.
public struct TracingSettings: Sendable, Hashable {
    /// The OTLP/HTTP base URL (`http://collector:4318`); spans go to `<endpoint>/v1/traces`.
    public var endpoint: String
    /// `service.name` of every span (`otel.service_name`). Default `videogenx`.
    public var serviceName: String
    /// Fraction of new traces recorded, 0–1 (`otel.sampling_ratio`); a request that arrives with a
    /// sampled `traceparent` is always recorded (parent-based sampling). Default 1.
    public var samplingRatio: Double

    /// Settings; defaults as documented on each property.
    public init(endpoint: String, serviceName: String = "videogenx", samplingRatio: Double = 1) {
        self.endpoint = endpoint
        self.serviceName = serviceName
        self.samplingRatio = samplingRatio
    }

    /// `<endpoint>/v1/traces`, the OTLP/HTTP traces path (kept when the endpoint already has it).
    public var tracesURL: String {
        if endpoint.hasSuffix("/v1/traces") { return endpoint }
        var base = endpoint
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/v1/traces"
    }

    /// The tracer and its exporter, not yet bootstrapped (tests use them directly). `role` becomes
    /// the `videogenx.role` resource attribute.
    public func makeBackend(role: String, logger: Logger, exportInterval: Duration = .seconds(1)) -> (tracer: OTLPTracer, exporter: OTLPSpanExporter) {
        let buffer = SpanBuffer()
        let resource: SpanAttributes = [
            "service.name": .string(serviceName), "videogenx.role": .string(role),
            "telemetry.sdk.name": "videogenx", "telemetry.sdk.language": "swift",
        ]
        let exporter = OTLPSpanExporter(url: tracesURL, buffer: buffer, resource: resource, interval: exportInterval, logger: logger)
        return (OTLPTracer(samplingRatio: samplingRatio, buffer: buffer), exporter)
    }

    /// Bootstraps the tracer (W3C trace context propagation, parent-based ratio sampling, batch
    /// export every second) and returns the service that exports spans: run it in the role's
    /// service group, which flushes it on shutdown. Logs and metrics are not sent over OTLP
    /// (JSON logs and `/metrics` carry them).
    public func bootstrap(role: String, logger: Logger) -> any Service {
        let (tracer, exporter) = makeBackend(role: role, logger: logger)
        InstrumentationSystem.bootstrap(tracer)
        return exporter
    }

    /// A logging metadata provider adding the current span's `trace_id` and `span_id` to every
    /// log line written inside it.
    public static let logMetadata = Logger.MetadataProvider {
        guard let span = ServiceContext.current?.carriedSpanContext else { return [:] }
        return ["trace_id": "\(span.trace.traceID)", "span_id": "\(span.trace.spanID)"]
    }
}
