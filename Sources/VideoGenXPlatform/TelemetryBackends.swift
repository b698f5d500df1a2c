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
    /// - Throws: ``ConfigurationError`` for `otel.endpoint` when swift-otel refuses it.
    public static func bootstrap(_ configuration: ServeConfiguration, role: Role) throws -> TelemetryBackends {
        configuration.logFormat.bootstrap(metadataProvider: configuration.tracing == nil ? nil : TracingSettings.logMetadata)
        // Made after the log bootstrap, so swift-otel's diagnostics are written in the log format too.
        var logger = Logger(label: "videogenx.otel")
        logger.logLevel = configuration.logLevel
        let metrics = configuration.metricsEnabled ? MetricsEndpoint.bootstrap() : nil
        var services: [any Service] = []
        if let tracing = configuration.tracing {
            do {
                services.append(try tracing.bootstrap(role: role.rawValue, logger: logger))
            } catch {
                throw ConfigurationError(key: "otel.endpoint", reason: "\(error)")
            }
        }
        return TelemetryBackends(metrics: metrics, services: services)
    }
}
