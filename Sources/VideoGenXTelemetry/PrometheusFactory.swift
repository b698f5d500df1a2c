import CoreMetrics
import Prometheus

/// The swift-metrics backend of every role: swift-prometheus' registry, with the help text and
/// buckets of ``MetricCatalogue`` and Prometheus names for the metrics that libraries emit
/// (Hummingbird's `MetricsMiddleware`: `hb.requests` → `videogenx_http_requests_total`,
/// dimensions `http.route` → `route` and so on). Bootstrapped once, by the composition root.
public struct PrometheusFactory: MetricsFactory {
    /// Where the metrics live; `/metrics` renders it.
    public let registry: PrometheusCollectorRegistry
    private let destroyer: PrometheusMetricsFactory

    /// A factory registering into `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        destroyer = PrometheusMetricsFactory(registry: registry)
    }

    /// Library metric names and the Prometheus names they are exported under.
    static let renamed = [
        "hb.requests": "videogenx_http_requests_total",
        "hb.request.errors": "videogenx_http_request_errors_total",
        "http.server.request.duration": "videogenx_http_request_duration_seconds",
        "http.server.active_requests": "videogenx_http_active_requests",
    ]
    /// Library dimension names and the label names they are exported under.
    static let relabelled = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "error_type",
    ]

    /// The exported name and labels of a swift-metrics label and dimensions.
    static func exported(_ label: String, _ dimensions: [(String, String)]) -> (name: String, labels: [(String, String)], entry: MetricCatalogue.Entry?) {
        let name = renamed[label] ?? label
        let labels = dimensions.map { (relabelled[$0.0] ?? $0.0, $0.1) }
        return (name, labels, MetricCatalogue.entries[name])
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        return registry.makeCounter(name: name, labels: labels, help: entry?.help ?? "")
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        return registry.makeCounter(name: name, labels: labels, help: entry?.help ?? "")
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        guard aggregate else { return registry.makeGauge(name: name, labels: labels, help: entry?.help ?? "") }
        let buckets = entry?.buckets ?? [1, 2, 5, 10, 20, 50, 100]
        return registry.makeValueHistogram(name: name, labels: labels, buckets: buckets, help: entry?.help ?? "")
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        return registry.makeGauge(name: name, labels: labels, help: entry?.help ?? "")
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        let seconds = entry?.buckets ?? MetricCatalogue.httpBuckets
        let buckets = seconds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(name: name, labels: labels, buckets: buckets, help: entry?.help ?? "")
    }

    public func destroyCounter(_ handler: any CounterHandler) { destroyer.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { destroyer.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { destroyer.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { destroyer.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { destroyer.destroyTimer(handler) }
}
