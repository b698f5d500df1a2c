import CoreMetrics
import Prometheus
import Synchronization

/// The swift-metrics backend of every role: swift-prometheus' registry, with the help text and
/// buckets of ``MetricCatalogue`` and Prometheus names for the metrics that libraries emit
/// (Hummingbird's `MetricsMiddleware`: `hb.requests` → `videogenx_http_requests_total`,
/// dimensions `http.route` → `route` and so on). Bootstrapped once, by the composition root.
public struct PrometheusFactory: MetricsFactory {
    /// Where the metrics live; `/metrics` renders it.
    public let registry: PrometheusCollectorRegistry
    private let destroyer: PrometheusMetricsFactory
    /// Handlers already made, by kind, label and dimensions: Hummingbird's `MetricsMiddleware`
    /// asks for a counter and a timer on every request, and renaming, catalogue look-ups,
    /// bucket conversion and the registry's own look-up cost ~6 % of a cached status read.
    private let made = HandlerMemo()

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

    /// The exported name (with the catalogue's help text) and labels of a swift-metrics label and
    /// dimensions. The name is whole already, so it goes in as the descriptor's base name alone.
    static func exported(
        _ label: String, _ dimensions: [(String, String)]
    ) -> (name: MetricNameDescriptor, labels: [(String, String)], entry: MetricCatalogue.Entry?) {
        let name = renamed[label] ?? label
        let labels = dimensions.map { (relabelled[$0.0] ?? $0.0, $0.1) }
        let entry = MetricCatalogue.entries[name]
        return (MetricNameDescriptor(metricName: name, unitName: "", helpText: entry?.help ?? ""), labels, entry)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        made.handler(.counter, label, dimensions) { makeCounterUncached(label: label, dimensions: dimensions) }
    }

    private func makeCounterUncached(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let (name, labels, _) = Self.exported(label, dimensions)
        return registry.makeCounter(descriptor: name, labels: labels)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        made.handler(.floatingPointCounter, label, dimensions) { makeFloatingPointCounterUncached(label: label, dimensions: dimensions) }
    }

    private func makeFloatingPointCounterUncached(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let (name, labels, _) = Self.exported(label, dimensions)
        return registry.makeCounter(descriptor: name, labels: labels)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        made.handler(aggregate ? .histogram : .gauge, label, dimensions) { makeRecorderUncached(label: label, dimensions: dimensions, aggregate: aggregate) }
    }

    private func makeRecorderUncached(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        guard aggregate else { return registry.makeGauge(descriptor: name, labels: labels) }
        let buckets = entry?.buckets ?? [1, 2, 5, 10, 20, 50, 100]
        return registry.makeValueHistogram(descriptor: name, labels: labels, buckets: buckets)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        made.handler(.meter, label, dimensions) { makeMeterUncached(label: label, dimensions: dimensions) }
    }

    private func makeMeterUncached(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let (name, labels, _) = Self.exported(label, dimensions)
        return registry.makeGauge(descriptor: name, labels: labels)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        made.handler(.timer, label, dimensions) { makeTimerUncached(label: label, dimensions: dimensions) }
    }

    private func makeTimerUncached(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (name, labels, entry) = Self.exported(label, dimensions)
        let seconds = entry?.buckets ?? MetricCatalogue.httpBuckets
        let buckets = seconds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        return registry.makeDurationHistogram(descriptor: name, labels: labels, buckets: buckets)
    }

    public func destroyCounter(_ handler: any CounterHandler) { destroyer.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { destroyer.destroyFloatingPointCounter(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { destroyer.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { destroyer.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { destroyer.destroyTimer(handler) }
}

/// The handlers a ``PrometheusFactory`` has made, so asking again for the same metric is one
/// locked dictionary look-up. Metrics are never destroyed here (nothing calls `destroy()`), so
/// entries live as long as the registry's.
final class HandlerMemo: Sendable {
    enum Kind: Hashable, Sendable {
        case counter, floatingPointCounter, meter, timer, histogram, gauge
    }

    private struct Key: Hashable {
        var kind: Kind
        var label: String
        var dimensions: [String]
    }

    private let handlers = Mutex<[Key: any Sendable]>([:])

    /// The handler of `kind` for `label` and `dimensions`, made by `make` the first time.
    func handler<Handler: Sendable>(_ kind: Kind, _ label: String, _ dimensions: [(String, String)], make: () -> Handler) -> Handler {
        var flat: [String] = []
        flat.reserveCapacity(dimensions.count * 2)
        for (name, value) in dimensions {
            flat.append(name)
            flat.append(value)
        }
        let key = Key(kind: kind, label: label, dimensions: flat)
        if let known = handlers.withLock({ $0[key] }) as? Handler { return known }
        let made = make()
        handlers.withLock { $0[key] = made }
        return made
    }
}
