import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Subprocess
import SystemPackage
import Testing
import VideoGenXPlatform
import VideoGenXTestSupport
import Yams

/// Whether the observability tools' tests run: in CI always (a missing tool fails them), elsewhere
/// when Prometheus, promtool, Alertmanager and amtool are installed.
enum ObservabilityTools {
    static let runnable = ProcessInfo.processInfo.environment["CI"] != nil
        || ["promtool", "prometheus", "amtool", "prometheus-alertmanager"].allSatisfy { ToolServer.program($0) != nil }
}

/// `deploy/`'s alert rules, Alertmanager routing and Grafana dashboards, checked by the real
/// tools (apt `prometheus`, `prometheus-alertmanager`; installed by `scripts/install-deps.sh`)
/// against a live `serve`. Outside CI the suite is skipped where the tools are missing; in CI a
/// missing tool fails it.
@Suite("Observability tools", .serialized, .timeLimit(.minutes(5)), .enabled(if: ObservabilityTools.runnable))
final class ObservabilityToolsTests: Sendable {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let deploy = root.appendingPathComponent("deploy")
    /// Metrics only an NVML GPU reports; the machines CI runs on have none, so a panel showing one
    /// may be empty there — but the name must be one the code exports (``MetricCatalogue``).
    static let gpuOnlyMetrics: Set = ["videogenx_device_temperature_celsius"]
    /// Exported only with `cache.url` set: checked when the run has a Redis (make test, CI).
    static let redisOnlyMetrics: Set = ["videogenx_redis_fallbacks_total"]

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-observability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("promtool checks and unit-tests the alert rules (each alert fires on its fixture and stays quiet on the other); amtool accepts the Alertmanager config and routes P0 to the pager, P1 to on-call, P2 to tickets")
    func rulesAndRouting() async throws {
        let rules = Self.deploy.appendingPathComponent("prometheus/alerts.yml").path
        let check = try await Self.tool("promtool", ["check", "rules", rules])
        #expect(check.status == 0 && check.output.contains("SUCCESS: 13 rules found"), "\(check.output)")
        let unit = try await Self.tool("promtool", ["test", "rules", Self.deploy.appendingPathComponent("prometheus/alerts_test.yml").path])
        #expect(unit.status == 0 && unit.output.contains("SUCCESS"), "\(unit.output)")
        let config = Self.deploy.appendingPathComponent("alertmanager/alertmanager.yml").path
        let amcheck = try await Self.tool("amtool", ["check-config", config])
        #expect(amcheck.status == 0, "\(amcheck.output)")
        for (severity, receiver) in [("P0", "pager"), ("P1", "on-call"), ("P2", "tickets")] {
            let route = try await Self.tool("amtool", ["config", "routes", "test", "--config.file=\(config)", "severity=\(severity)", "service=videogenx"])
            #expect(route.output.split(separator: "\n").first { !$0.hasPrefix("Warning") } == Substring(receiver), "\(severity): \(route.output)")
        }
    }

    @Test("A real Alertmanager with deploy/'s config: a firing P0 inhibits the P1 and P2 alerts of the same service, not those of another service")
    func inhibition() async throws {
        // The same config with the receivers pointed at a closed loopback port (nothing leaves the machine).
        let closed = try LoopbackPort.free()
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("alertmanager/alertmanager.yml"), encoding: .utf8)
            .replacingOccurrences(of: "http://alert-router.internal:9095", with: "http://127.0.0.1:\(closed)")
        let config = directory.appendingPathComponent("alertmanager.yml")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let server = try ToolServer()
        try await server.start(try #require(ToolServer.program("prometheus-alertmanager")), arguments: [
            "--config.file=\(config.path)", "--storage.path=\(directory.appendingPathComponent("am").path)",
            "--web.listen-address=127.0.0.1:\(server.port)", "--cluster.listen-address=",
        ], log: directory.appendingPathComponent("alertmanager.log"))
        defer { server.stop() }
        let alerts: [[String: Any]] = [
            ["labels": ["alertname": "VideoGenXDown", "severity": "P0", "service": "videogenx", "instance": "api-a:8000"]],
            ["labels": ["alertname": "VideoGenXLatencyHigh", "severity": "P1", "service": "videogenx"]],
            ["labels": ["alertname": "VideoGenXCPUHigh", "severity": "P2", "service": "videogenx", "instance": "worker-1:8001"]],
            ["labels": ["alertname": "OtherLatencyHigh", "severity": "P1", "service": "billing"]],
        ]
        var post = URLRequest(url: URL(string: server.endpoint + "/api/v2/alerts")!)
        post.httpMethod = "POST"
        post.setValue("application/json", forHTTPHeaderField: "Content-Type")
        post.httpBody = try JSONSerialization.data(withJSONObject: alerts)
        let (_, posted) = try await URLSession.shared.data(for: post)
        #expect((posted as? HTTPURLResponse)?.statusCode == 200)
        let endpoint = server.endpoint
        try await eventually(seconds: 20) { try await Self.alertStates(endpoint)["VideoGenXLatencyHigh"] == "suppressed" }
        let states = try await Self.alertStates(endpoint)
        #expect(states["VideoGenXDown"] == "active", "\(states)")
        #expect(states["VideoGenXLatencyHigh"] == "suppressed" && states["VideoGenXCPUHigh"] == "suppressed", "\(states)")
        #expect(states["OtherLatencyHigh"] == "active", "another service's alert is not inhibited: \(states)")
    }

    @Test("A real Prometheus scrapes a live serve while tasks run: promtool accepts its /metrics, every dashboard expression returns data, and every alert expression evaluates and names only metrics the server exports")
    func liveScrape() async throws {
        var environment = ["VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "2"]
        // With the test run's Redis as cache.url, the Redis metrics the alerts read are exported too.
        if let redis = RedisTestServer.url { environment["VIDEOGENX_CACHE_URL"] = redis }
        let directory = self.directory
        try await ServeProcess.with(dataDirectory: directory.appendingPathComponent("data"), environment: environment) { server in
            let prometheus = try ToolServer()
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: ['\(Self.deploy.appendingPathComponent("prometheus/alerts.yml").path)']
            scrape_configs:
              - job_name: videogenx
                static_configs: [{targets: ['127.0.0.1:\(server.port)']}]
            """.write(to: config, atomically: true, encoding: .utf8)
            try await prometheus.start(try #require(ToolServer.program("prometheus")), arguments: [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
                "--web.listen-address=127.0.0.1:\(prometheus.port)",
            ], log: directory.appendingPathComponent("prometheus.log"))
            defer { prometheus.stop() }
            // Traffic: two tasks (the second finds the model warm), a 404.
            for seed in 1...2 {
                let id = try await server.submit(#"{"text":"a lighthouse at dusk","params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":\#(seed)}}"#)
                let task = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
                #expect(task["status"] as? String == "succeeded", "\(task)")
            }
            let (missing, _) = try await server.request("GET", "/api/v1/video/task/vid00000000000000000000000000000000")
            #expect(missing == 404)
            let (exposition, _) = try await URLSession.shared.data(from: URL(string: server.base + "/metrics")!)
            let lint = try await Self.tool("promtool", ["check", "metrics"], input: String(decoding: exposition, as: UTF8.self))
            #expect(lint.status == 0, "promtool check metrics: \(lint.output)")
            // Enough scrapes after the tasks for every rate() to have two samples.
            let endpoint = prometheus.endpoint
            try await eventually(seconds: 60) {
                try await !Self.query(endpoint, #"count_over_time(videogenx_tasks_finished_total{status="succeeded"}[5m]) >= 3"#).isEmpty
            }
            for (dashboard, expression) in try Self.dashboardExpressions() {
                let result = try await Self.query(endpoint, expression)
                let names = Self.metricNames(in: expression)
                #expect(!result.isEmpty || names.isSubset(of: Self.gpuOnlyMetrics), "\(dashboard): no data for \(expression)")
            }
            for (alert, expression) in try Self.ruleExpressions() {
                _ = try await Self.query(endpoint, expression)
                let absent = Self.gpuOnlyMetrics.union(RedisTestServer.url == nil ? Self.redisOnlyMetrics : [])
                for name in Self.metricNames(in: expression) where !absent.contains(name) {
                    let series = try await Self.query(endpoint, "count({__name__=\"\(name)\"})")
                    #expect(!series.isEmpty, "\(alert) names \(name), which the server does not export")
                }
            }
            for name in Self.gpuOnlyMetrics {
                #expect(MetricCatalogue.entries[name] != nil, "\(name) is a metric the code exports")
            }
        }
    }

    /// Every `expr` of every panel of `deploy/grafana/*.json`, with its dashboard and panel.
    static func dashboardExpressions() throws -> [(String, String)] {
        let folder = deploy.appendingPathComponent("grafana")
        var expressions: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".json") {
            let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(file))) as? [String: Any]
            for panel in dashboard?["panels"] as? [[String: Any]] ?? [] {
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    if let expr = target["expr"] as? String { expressions.append(("\(file) / \(panel["title"] ?? "")", expr)) }
                }
            }
        }
        #expect(expressions.count >= 40, "four dashboards of panels")
        return expressions
    }

    /// Every alert's `expr` in `deploy/prometheus/alerts.yml`.
    static func ruleExpressions() throws -> [(String, String)] {
        let text = try String(contentsOf: deploy.appendingPathComponent("prometheus/alerts.yml"), encoding: .utf8)
        let document = try Yams.load(yaml: text) as? [String: Any]
        var expressions: [(String, String)] = []
        for group in document?["groups"] as? [[String: Any]] ?? [] {
            for rule in group["rules"] as? [[String: Any]] ?? [] {
                if let alert = rule["alert"] as? String, let expr = rule["expr"] as? String { expressions.append((alert, expr)) }
            }
        }
        #expect(expressions.count == 13)
        return expressions
    }

    /// The VideoGenX and process metric names an expression reads.
    static func metricNames(in expression: String) -> Set<String> {
        Set(expression.matches(of: #/\b(?:videogenx|process)_[a-z_]+\b/#).map { String(expression[$0.range]) })
    }

    /// The result vector of an instant query through Prometheus' HTTP API.
    /// - Throws: when the expression does not parse or evaluate (`status` is not `success`).
    static func query(_ endpoint: String, _ expression: String) async throws -> [[String: Any]] {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let (data, _) = try await URLSession.shared.data(from: URL(string: "\(endpoint)/api/v1/query?query=\(encoded)")!)
        let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        guard answer?["status"] as? String == "success" else {
            throw PostgresTestServer.TestServerError("query \(expression) failed: \(String(decoding: data, as: UTF8.self))")
        }
        return (answer?["data"] as? [String: Any])?["result"] as? [[String: Any]] ?? []
    }

    /// Alertmanager's alerts by name, with their state (`active`, `suppressed`).
    static func alertStates(_ endpoint: String) async throws -> [String: String] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: endpoint + "/api/v2/alerts")!)
        var states: [String: String] = [:]
        for alert in try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? [] {
            let name = (alert["labels"] as? [String: String])?["alertname"] ?? ""
            states[name] = (alert["status"] as? [String: Any])?["state"] as? String
        }
        return states
    }

    /// Runs a tool from the `PATH` and returns its exit status and output (stdout and stderr).
    static func tool(_ name: String, _ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        let program = try #require(ToolServer.program(name), "\(name) is not installed (scripts/install-deps.sh)")
        let result = try await Subprocess.run(
            .path(FilePath(program.path)), arguments: Arguments(arguments), input: .string(input ?? ""),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
        )
        let status: Int32 = if case .exited(let code) = result.terminationStatus { code } else { -1 }
        return (status, result.standardOutput + result.standardError)
    }
}
