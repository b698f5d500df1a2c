import CoreMetrics
import Prometheus
import Synchronization

/// What `GET /metrics` renders: the registry of the process's ``PrometheusFactory`` in the
/// Prometheus text format, after the scrape-time collectors (process metrics, queue depth,
/// devices) have refreshed their gauges.
public final class MetricsEndpoint: Sendable {
    /// The registry the endpoint renders.
    public let registry: PrometheusCollectorRegistry
    private let collectors = Mutex<[@Sendable () async -> Void]>([])

    /// An endpoint rendering `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Bootstraps swift-metrics with a ``PrometheusFactory`` (once per process: the composition
    /// root's job) and returns the endpoint rendering it, with the process metrics collected.
    public static func bootstrap() -> MetricsEndpoint {
        let factory = PrometheusFactory()
        MetricsSystem.bootstrap(factory)
        let endpoint = MetricsEndpoint(registry: factory.registry)
        let process = ProcessMetrics()
        endpoint.collect { process.update() }
        return endpoint
    }

    /// Runs `collector` before each rendering, to refresh gauges read from elsewhere.
    public func collect(_ collector: @escaping @Sendable () async -> Void) {
        collectors.withLock { $0.append(collector) }
    }

    /// The exposition text (`text/plain; version=0.0.4`).
    public func render() async -> [UInt8] {
        for collector in collectors.withLock({ $0 }) {
            await collector()
        }
        return registry.emitToBuffer()
    }

    /// The content type of ``render()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
