import Logging
import ServiceLifecycle

/// The process-wide telemetry backends of a role, bootstrapped once by the composition root
/// (DESIGN §10): JSON or text logs (with `trace_id`/`span_id` when tracing), the Prometheus
/// metrics `/metrics` renders (`metrics.enabled`), and the OTLP span exporter (`otel.*`).
public struct TelemetryBackends: Sendable {
    /// What `/metrics` renders; `nil` when `metrics.enabled` is false.
    public let metrics: MetricsEndpoint?
    /// The span exporter's service (empty without `otel.endpoint`): run first, stopped last.
    public let services: [any Service]

    /// Bootstraps logging, metrics and tracing for `role` as `configuration` says. Call once per
    /// process, before anything logs or creates a metric.
    public static func bootstrap(_ configuration: ServeConfiguration, role: Role) -> TelemetryBackends {
        configuration.logFormat.bootstrap(metadataProvider: configuration.tracing == nil ? nil : TracingSettings.logMetadata)
        // Made after the log bootstrap, so the exporter's warnings are written in the log format too.
        var logger = Logger(label: "videogenx.otel")
        logger.logLevel = configuration.logLevel
        let metrics = configuration.metricsEnabled ? MetricsEndpoint.bootstrap() : nil
        var services: [any Service] = []
        if let tracing = configuration.tracing {
            services.append(tracing.bootstrap(role: role.rawValue, logger: logger))
        }
        return TelemetryBackends(metrics: metrics, services: services)
    }
}
