import CoreMetrics
import Prometheus
import Testing
@testable import VideoGenXTelemetry

/// The metrics factory: Hummingbird's names exported under Prometheus names, and a handler
/// asked for again (every request) is the one made the first time.
@Suite("Prometheus factory")
struct PrometheusFactoryTests {
    @Test("the same label and dimensions give the same handler; other dimensions another; both export under the Prometheus name and labels")
    func memoised() {
        let factory = PrometheusFactory(registry: PrometheusCollectorRegistry())
        let dimensions = [("http.route", "/healthz"), ("http.request.method", "GET"), ("http.response.status_code", "200")]
        let first = factory.makeCounter(label: "hb.requests", dimensions: dimensions)
        let again = factory.makeCounter(label: "hb.requests", dimensions: dimensions)
        let other = factory.makeCounter(label: "hb.requests", dimensions: [("http.route", "/readyz"), ("http.request.method", "GET"), ("http.response.status_code", "200")])
        #expect(first === again && first !== other)
        first.increment(by: 1)
        again.increment(by: 1)
        other.increment(by: 1)
        let timer = factory.makeTimer(label: "http.server.request.duration", dimensions: dimensions)
        #expect(timer === factory.makeTimer(label: "http.server.request.duration", dimensions: dimensions))
        timer.recordNanoseconds(2_000_000)
        var buffer: [UInt8] = []
        factory.registry.emit(into: &buffer)
        let text = String(decoding: buffer, as: UTF8.self)
        #expect(text.contains(#"videogenx_http_requests_total{route="/healthz",method="GET",status="200"} 2"#), "\(text)")
        #expect(text.contains(#"videogenx_http_requests_total{route="/readyz",method="GET",status="200"} 1"#))
        #expect(text.contains(#"videogenx_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 1"#))
        #expect(text.contains("# HELP videogenx_http_requests_total HTTP requests answered"))
    }
}
