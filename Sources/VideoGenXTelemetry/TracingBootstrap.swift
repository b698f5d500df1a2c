import Logging
import OTel
import ServiceLifecycle

/// Tracing through swift-distributed-tracing, exported by swift-otel over OTLP/HTTP (protobuf)
/// to `otel.endpoint` (a collector, Jaeger, Tempo): bootstrapped once, by the composition root.
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

    /// Bootstraps the tracer (W3C trace context propagation, parent-based ratio sampling, batch
    /// export every second) and returns the service that exports spans: run it in the role's
    /// service group, which flushes it on shutdown. `role` becomes the `videogenx.role` resource
    /// attribute. Logs and metrics are not sent over OTLP (JSON logs and `/metrics` carry them).
    /// - Throws: swift-otel's error for an unusable endpoint.
    public func bootstrap(role: String, logger: Logger) throws -> any Service {
        var configuration = OTel.Configuration.default
        configuration.serviceName = serviceName
        configuration.resourceAttributes["videogenx.role"] = role
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.propagators = [.traceContext]
        configuration.traces.sampler = .parentBasedTraceIDRatio(ratio: samplingRatio) ?? .parentBasedAlwaysOn
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/v1/traces")
            ? endpoint : endpoint.trimmingSuffix("/") + "/v1/traces"
        return try OTel.bootstrap(configuration: configuration)
    }

    /// A logging metadata provider adding the current span's `trace_id` and `span_id` to every
    /// log line written inside it.
    public static let logMetadata: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
