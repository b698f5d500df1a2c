import Configuration
import Foundation
import SystemPackage
import Testing
import VideoGenXCacheRedis
import VideoGenXCore
import VideoGenXInference
import Logging
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXScheduler

/// `serve`'s configuration: flags over `VIDEOGENX_*` environment over a JSON file over defaults;
/// a bad value fails with its key; every key is documented in the README.
@Suite("serve configuration")
struct ServeConfigurationTests {
    /// A reader like `serve`'s: flags, then environment (`VIDEOGENX_` prefix), then a JSON file.
    func reader(flags: [AbsoluteConfigKey: ConfigValue] = [:], environment: [String: String] = [:], json: String? = nil) async throws -> ConfigReader {
        // No model configs unless a test gives some: ./models may hold a developer's.
        var environment = environment
        if environment["VIDEOGENX_MODELS_DIR"] == nil { environment["VIDEOGENX_MODELS_DIR"] = "/nonexistent/vgx-models" }
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: flags),
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "videogenx"),
        ]
        if let json {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-config-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: path)
            defer { try? FileManager.default.removeItem(at: path) }
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path.path)))
        }
        return ConfigReader(providers: providers)
    }

    @Test("With nothing given every key takes its documented default")
    func defaults() async throws {
        let configuration = try ServeConfiguration(reader: try await reader())
        #expect(configuration.host == "127.0.0.1" && configuration.port == 8000)
        #expect(configuration.dataDirectory.path.hasSuffix("/data") && configuration.publicBaseURL == nil)
        #expect(configuration.logLevel == .info && configuration.runsWorker)
        #expect(configuration.server.limits == .platform && configuration.server.urlExpirySeconds == 1800)
        #expect(configuration.server.maxPageSize == 100 && configuration.urlAllowlist.isEmpty)
        #expect(configuration.worker.capacity == 4 && configuration.worker.batchWindowSeconds == 0.1 && configuration.worker.leaseSeconds == 30 && configuration.worker.heartbeatSeconds == 10)
        #expect(configuration.worker.shutdownGraceSeconds == 30)
        let callbacks = try #require(configuration.callbacks)
        #expect(callbacks.retry.windowSeconds == 86_400 && callbacks.retry.firstDelaySeconds == 5 && callbacks.timeoutSeconds == 10)
    }

    @Test("The file sets nested keys, the environment overrides the file, and flags override both")
    func precedence() async throws {
        let json = #"{"http": {"port": 9000, "host": "0.0.0.0"}, "limits": {"duration_min": 5, "resolutions": ["720P"]}, "worker": {"capacity": 2}, "callbacks": {"retry_window_seconds": 3600}}"#
        let environment = ["VIDEOGENX_HTTP_PORT": "9100", "VIDEOGENX_SECURITY_URL_ALLOWLIST": "10.0.0.5, hooks.internal", "VIDEOGENX_CALLBACKS_ENABLED": "true"]
        let flags: [AbsoluteConfigKey: ConfigValue] = ["http.port": ConfigValue(.int(9200), isSecret: false)]
        let fileOnly = try ServeConfiguration(reader: try await reader(json: json))
        #expect(fileOnly.port == 9000 && fileOnly.host == "0.0.0.0")
        #expect(fileOnly.server.limits.durationSeconds == 5...60 && fileOnly.server.limits.resolutions == [.hd720])
        #expect(fileOnly.worker.capacity == 2 && fileOnly.callbacks?.retry.windowSeconds == 3600)
        #expect(try ServeConfiguration(reader: try await reader(environment: environment, json: json)).port == 9100)
        let all = try ServeConfiguration(reader: try await reader(flags: flags, environment: environment, json: json))
        #expect(all.port == 9200 && all.host == "0.0.0.0")
        #expect(all.urlAllowlist == ["10.0.0.5", "hooks.internal"])
        #expect(try ServeConfiguration(reader: try await reader(environment: ["VIDEOGENX_CALLBACKS_ENABLED": "false"])).callbacks == nil)
    }

    static let badValues: [(environment: [String: String], error: String)] = [
        (["VIDEOGENX_HTTP_PORT": "eighty"], "http.port: must be an integer 0–65535, got 'eighty'"),
        (["VIDEOGENX_HTTP_PORT": "70000"], "http.port: must be 0–65535, got 70000"),
        (["VIDEOGENX_CACHE_MAX_ENTRIES": "-1"], "cache.max_entries: must be 0–10000000, got -1"),
        (["VIDEOGENX_CACHE_URL": "http://cache:6379"], "cache.url: invalid redis URL: expected redis://host[:port][/db]; expected redis://[[user]:password@]host[:port][/db]"),
        (["VIDEOGENX_CACHE_URL": "redis://cache/zero"], "cache.url: invalid redis URL: the path must be a database number; expected redis://[[user]:password@]host[:port][/db]"),
        (["VIDEOGENX_LOG_LEVEL": "loud"], "log.level: must be one of trace, debug, info, notice, warning, error, critical, got 'loud'"),
        (["VIDEOGENX_WORKER_LEASE_SECONDS": "0"], "worker.lease_seconds: must be a number of seconds ≥ 1.0, got 0.0"),
        (["VIDEOGENX_WORKER_HEARTBEAT_SECONDS": "40"], "worker.heartbeat_seconds: must be shorter than worker.lease_seconds (30.0), got 40.0"),
        (["VIDEOGENX_WORKER_ENABLED": "maybe"], "worker.enabled: must be true or false, got 'maybe'"),
        (["VIDEOGENX_LIMITS_RESOLUTIONS": "720P,8K"], "limits.resolutions: must list some of 720P, 1080P, 4K, got '8K'"),
        (["VIDEOGENX_LIMITS_DURATION_MIN": "30", "VIDEOGENX_LIMITS_DURATION_MAX": "20"], "limits.duration_max: must be 30–3600, got 20"),
        (["VIDEOGENX_WORKER_DEVICES": "cpu,tpu:0"], "worker.devices: must list cpu, gpu:N (0–63) or simulated, got 'tpu:0'"),
        (["VIDEOGENX_ASSETS_MAX_IMAGE_BYTES": "10"], "assets.max_image_bytes: must be 1024–1073741824, got 10"),
        (["VIDEOGENX_MODELS_PRELOAD": "procedural,sora"], "models.preload: must name a registered model (procedural), got 'sora'"),
        (["VIDEOGENX_MODELS_WARM_COUNT": "0"], "models.warm_count: must be 1–64, got 0"),
        (["VIDEOGENX_WORKER_PREEMPTIBLE_TIERS": "free,gold"], "worker.preemptible_tiers: must list tiers of free, paid, admin (or none), got 'gold'"),
        (["VIDEOGENX_OBJECTS_URL": "gs://bucket"], "objects.url: must be file:///PATH or s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=…, got 'gs://bucket'"),
        (["VIDEOGENX_OBJECTS_URL": "s3://Bad_Bucket"], "objects.url: the bucket must be 3–63 characters of a–z 0–9 . -, got 'Bad_Bucket'"),
        (["VIDEOGENX_OBJECTS_URL": "s3://vgx?endpoint=ftp://x"], "objects.url: endpoint must be http(s)://host[:port], got 'ftp://x'"),
        (["VIDEOGENX_OBJECTS_PART_SIZE_MB": "1"], "objects.part_size_mb: must be 5–5120, got 1"),
        (["VIDEOGENX_OBJECTS_PUBLIC_ENDPOINT": "cdn.example"], "objects.public_endpoint: must be http(s)://host[:port], got 'cdn.example'"),
        (["VIDEOGENX_OBJECTS_RETENTION_DAYS": "0"], "objects.retention_days: must be 1–36500 days or off, got '0'"),
        (["VIDEOGENX_METRICS_ENABLED": "yes please"], "metrics.enabled: must be true or false, got 'yes please'"),
        (["VIDEOGENX_OTEL_ENDPOINT": "collector:4318"], "otel.endpoint: must be the OTLP/HTTP base URL http(s)://host:port (e.g. http://127.0.0.1:4318), got 'collector:4318'"),
        (["VIDEOGENX_OTEL_ENDPOINT": "http://127.0.0.1:4318", "VIDEOGENX_OTEL_SAMPLING_RATIO": "2"], "otel.sampling_ratio: must be a number from 0 to 1, got '2'"),
    ]

    @Test("Telemetry keys: metrics on and tracing off by default; otel.* read into the tracing settings")
    func telemetry() async throws {
        let plain = try ServeConfiguration(reader: try await reader())
        #expect(plain.metricsEnabled && plain.tracing == nil && plain.logFormat == .json)
        let traced = try ServeConfiguration(reader: try await reader(environment: [
            "VIDEOGENX_OTEL_ENDPOINT": "http://collector:4318", "VIDEOGENX_OTEL_SERVICE_NAME": "vgx-eu", "VIDEOGENX_OTEL_SAMPLING_RATIO": "0.1",
            "VIDEOGENX_METRICS_ENABLED": "false",
        ]))
        #expect(traced.tracing == TracingSettings(endpoint: "http://collector:4318", serviceName: "vgx-eu", samplingRatio: 0.1))
        #expect(!traced.metricsEnabled)
    }

    @Test("cache.max_entries: 10,000 tasks by default, 0 turns the status cache off")
    func statusCache() async throws {
        #expect(try ServeConfiguration(reader: try await reader()).statusCacheEntries == 10_000)
        #expect(try ServeConfiguration(reader: try await reader(environment: ["VIDEOGENX_CACHE_MAX_ENTRIES": "0"])).statusCacheEntries == 0)
        #expect(try ServeConfiguration(reader: try await reader()).cacheURL == nil, "no Redis unless cache.url is set")
        let shared = try ServeConfiguration(reader: try await reader(environment: ["VIDEOGENX_CACHE_URL": "redis://:pw@cache.internal:6380/2"])).cacheURL
        #expect(shared?.host == "cache.internal" && shared?.port == 6380 && shared?.password == "pw" && shared?.database == 2)
    }

    @Test("worker.devices lists cpu, gpus and simulated devices; a gpu without a driver fails start-up naming the key")
    func devices() async throws {
        let configuration = try ServeConfiguration(reader: try await reader(environment: ["VIDEOGENX_WORKER_DEVICES": "cpu,gpu:1,simulated"]))
        #expect(configuration.worker.devices == [.cpu, .gpu(index: 1), .simulated])
        #expect(try ServeConfiguration(reader: try await reader()).worker.devices == [.cpu])
        // No driver here (CI): the check NVML would do fails with the library named. Where a GPU
        // exists, index 63 is out of range instead.
        var failure: DeviceError?
        do {
            _ = try ComputeDevice.openNVML(for: [.cpu, .gpu(index: 63)])
        } catch {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.code == .driverMissing || error.code == .noSuchDevice)
        #expect(error.message.contains("libnvidia-ml.so.1") || error.message.contains("gpu:63"))
        #expect(try ComputeDevice.openNVML(for: [.cpu, .simulated]) == nil)
    }

    @Test("A bad value fails start-up with its key, the accepted values and what was given", arguments: badValues)
    func badValue(environment: [String: String], error: String) async throws {
        let reader = try await reader(environment: environment)
        #expect(throws: ConfigurationError.self) { try ServeConfiguration(reader: reader) }
        do {
            _ = try ServeConfiguration(reader: reader)
        } catch let failure as ConfigurationError {
            #expect(failure.description == error)
        }
    }

    @Test("Every configuration key is documented in the README with its default and environment variable")
    func documented() throws {
        let readme = try String(contentsOfFile: #filePath.replacingOccurrences(of: "Tests/VideoGenXPlatformTests/ServeConfigurationTests.swift", with: "README.md"), encoding: .utf8)
        for (key, defaultValue) in ServeConfiguration.keys {
            let variable = "VIDEOGENX_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(key)` |") }
            #expect(row != nil, "README has no row for \(key)")
            #expect(row?.contains(variable) == true, "README row of \(key) names \(variable)")
            #expect(row?.contains(defaultValue) == true, "README row of \(key) gives the default \(defaultValue)")
        }
    }
}
