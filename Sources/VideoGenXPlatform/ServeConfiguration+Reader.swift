import Configuration
import Foundation
import Logging
import VideoGenXCacheRedis
import VideoGenXCore
import VideoGenXInference
import VideoGenXScheduler
import VideoGenXServer
import VideoGenXTelemetry

extension ServeConfiguration {
    /// Every configuration key `serve` reads, with its default, in the order of the README's
    /// table. Keys are dotted; in the environment they are upper-cased with `_` and prefixed
    /// `VIDEOGENX_` (`http.port` → `VIDEOGENX_HTTP_PORT`); in a JSON file they nest
    /// (`{"http": {"port": 8000}}`).
    public static let keys: [(key: String, defaultValue: String)] = [
        ("http.host", "127.0.0.1"), ("http.port", "8000"), ("http.public_url", "http://<host>:<port>"),
        ("data_dir", "./data"), ("log.level", "info"), ("log.format", "json"), ("metrics.enabled", "true"),
        ("otel.endpoint", "(off)"), ("otel.service_name", "videogenx"), ("otel.sampling_ratio", "1.0"),
        ("store.url", "sqlite://<data_dir>/tasks.sqlite"), ("store.password_file", "(none)"), ("store.max_connections", "20"),
        ("store.operation_timeout_seconds", "5"),
        ("objects.url", "file://<data_dir>/objects"), ("objects.multipart_threshold_mb", "100"), ("objects.part_size_mb", "5"),
        ("objects.public_endpoint", "(none)"), ("objects.spool_dir", "<data_dir>/spool"), ("objects.spool_max_mb", "10240"),
        ("objects.retention_days", "(off)"), ("worker.http_port", "8001"),
        ("limits.text_max_length", "2000"), ("limits.duration_min", "15"), ("limits.duration_max", "60"),
        ("limits.steps_min", "20"), ("limits.steps_max", "100"), ("limits.resolutions", "720P,1080P,4K"),
        ("limits.fps", "24,30"),
        ("api.url_expiry_seconds", "1800"), ("api.max_page_size", "100"), ("api.max_in_flight", "100"),
        ("api.max_pending_per_user", "100"), ("api.max_queue_depth", "10000"), ("cache.max_entries", "10000"), ("cache.url", "(none)"),
        ("security.url_allowlist", "(none)"), ("security.allow_bearer", "false"), ("security.timestamp_tolerance_seconds", "300"),
        ("security.secrets_key_file", "<data_dir>/secrets.key"),
        ("tiers.free.requests_per_second", "10"), ("tiers.free.burst", "20"), ("tiers.paid.requests_per_second", "100"),
        ("tiers.paid.burst", "200"), ("tiers.admin.requests_per_second", "1000"), ("tiers.admin.burst", "2000"),
        ("worker.enabled", "true"), ("worker.capacity", "4"), ("worker.batch_window_ms", "100"), ("worker.step_watchdog_seconds", "30"),
        ("worker.open_timeout_seconds", "600"), ("worker.finish_timeout_seconds", "1800"), ("worker.lease_seconds", "30"),
        ("worker.heartbeat_seconds", "lease / 3"), ("worker.poll_seconds", "0.5"), ("worker.shutdown_grace_seconds", "30"),
        ("worker.devices", "cpu"), ("worker.fallback_model", "(none)"), ("worker.preemptible_priorities", "1,2,3"),
        ("worker.preemptible_tiers", "free,paid,admin"),
        ("callbacks.enabled", "true"), ("callbacks.retry_window_seconds", "86400"), ("callbacks.first_delay_seconds", "5"),
        ("callbacks.max_delay_seconds", "3600"), ("callbacks.timeout_seconds", "10"), ("callbacks.poll_seconds", "1"),
        ("models.dir", "./models"), ("models.default", "procedural"),
        ("models.preload", "procedural"), ("models.warm_count", "2"), ("models.memory_budget_mb", "4096"),
        ("onnx.library", "the onnxruntime wheel's"), ("onnx.providers", "cpu"), ("onnx.threads", "1"),
        ("assets.max_image_bytes", "10485760"), ("assets.max_audio_bytes", "52428800"), ("assets.fetch_timeout_seconds", "20"),
    ]

    /// Reads the configuration from `reader` (flags, environment, file — whatever providers it
    /// holds, first wins); every key not given takes its default.
    /// - Throws: ``ConfigurationError`` naming the key and the accepted values.
    public init(reader: ConfigReader) throws {
        let values = ConfigValues(reader: reader)
        self.init()
        host = values.string("http.host", default: host)
        port = try values.int("http.port", default: port, in: 0...65535)
        publicBaseURL = values.optionalString("http.public_url")
        dataDirectory = URL(fileURLWithPath: values.string("data_dir", default: "./data"))
        if let url = values.optionalString("store.url"), !url.isEmpty {
            store = try StoreLocation(url: url)
        }
        storePassword = try Self.storePassword(values)
        storeMaxConnections = try values.int("store.max_connections", default: storeMaxConnections, in: 1...1000)
        storeOperationTimeoutSeconds = try values.seconds(
            "store.operation_timeout_seconds", default: storeOperationTimeoutSeconds, minimum: 0.1
        )
        objects = try Self.objectStorage(values)
        workerHTTPPort = try values.int("worker.http_port", default: workerHTTPPort, in: 0...65535)
        let levels = Logger.Level.allCases.map(\.rawValue)
        logLevel = Logger.Level(rawValue: try values.choice("log.level", default: "info", from: levels)) ?? .info
        metricsEnabled = try values.bool("metrics.enabled", default: true)
        statusCacheEntries = try values.int("cache.max_entries", default: 10_000, in: 0...10_000_000)
        if let url = values.optionalString("cache.url"), !url.isEmpty {
            do {
                cacheURL = try RedisURL(url)
            } catch {
                throw ConfigurationError(key: "cache.url", reason: "\(error.description); expected redis://[[user]:password@]host[:port][/db]")
            }
        }
        tracing = try Self.tracing(values)
        logFormat = LogFormat(rawValue: try values.choice("log.format", default: "json", from: LogFormat.allCases.map(\.rawValue))) ?? .json

        server.limits = try Self.limits(values)
        server.urlExpirySeconds = try values.seconds("api.url_expiry_seconds", default: server.urlExpirySeconds, minimum: 1)
        server.maxPageSize = try values.int("api.max_page_size", default: server.maxPageSize, in: 1...1000)
        server.urlAllowlist = values.strings("security.url_allowlist", default: [])
        server.maxInFlight = try values.int("api.max_in_flight", default: server.maxInFlight, in: 1...100_000)
        server.maxPendingPerUser = try values.int("api.max_pending_per_user", default: server.maxPendingPerUser, in: 1...1_000_000)
        server.maxQueueDepth = try values.int("api.max_queue_depth", default: server.maxQueueDepth, in: 1...100_000_000)
        allowBearer = try values.bool("security.allow_bearer", default: false)
        timestampToleranceSeconds = try values.seconds("security.timestamp_tolerance_seconds", default: 300, minimum: 1)
        secretsKeyFile = values.optionalString("security.secrets_key_file")
        for tier in Tier.allCases {
            var policy = server.policy(for: tier)
            policy.requestsPerSecond = try values.seconds("tiers.\(tier.rawValue).requests_per_second", default: policy.requestsPerSecond, minimum: 0.001)
            policy.burst = try values.int("tiers.\(tier.rawValue).burst", default: policy.burst, in: 1...1_000_000)
            server.tiers[tier] = policy
        }

        runsWorker = try values.bool("worker.enabled", default: true)
        worker.capacity = try values.int("worker.capacity", default: worker.capacity, in: 1...8)
        worker.batchWindowSeconds = Double(try values.int("worker.batch_window_ms", default: 100, in: 0...10_000)) / 1000
        worker.stepWatchdogSeconds = try values.seconds("worker.step_watchdog_seconds", default: worker.stepWatchdogSeconds, minimum: 1)
        worker.openTimeoutSeconds = try values.seconds("worker.open_timeout_seconds", default: worker.openTimeoutSeconds, minimum: 1)
        worker.finishTimeoutSeconds = try values.seconds("worker.finish_timeout_seconds", default: worker.finishTimeoutSeconds, minimum: 1)
        worker.leaseSeconds = try values.seconds("worker.lease_seconds", default: worker.leaseSeconds, minimum: 1)
        worker.heartbeatSeconds = try values.seconds("worker.heartbeat_seconds", default: max(0.5, worker.leaseSeconds / 3), minimum: 0.1)
        guard worker.heartbeatSeconds < worker.leaseSeconds else {
            throw ConfigurationError(
                key: "worker.heartbeat_seconds", reason: "must be shorter than worker.lease_seconds (\(worker.leaseSeconds)), got \(worker.heartbeatSeconds)"
            )
        }
        worker.reapSeconds = max(0.5, min(5, worker.leaseSeconds / 2))
        worker.pollSeconds = try values.seconds("worker.poll_seconds", default: worker.pollSeconds, minimum: 0.01)
        worker.shutdownGraceSeconds = try values.seconds("worker.shutdown_grace_seconds", default: worker.shutdownGraceSeconds, minimum: 0)
        onnx.library = values.optionalString("onnx.library").flatMap { $0.isEmpty ? nil : $0 }
        onnx.providers = try values.strings("onnx.providers", default: onnx.providers).map { name in
            guard ModelConfig.providerNames.contains(name) else {
                throw ConfigurationError(key: "onnx.providers", reason: "must list some of \(ModelConfig.providerNames.joined(separator: ", ")), got '\(name)'")
            }
            return name
        }
        onnx.threads = try values.int("onnx.threads", default: onnx.threads, in: 0...1024)
        models.directory = URL(fileURLWithPath: values.string("models.dir", default: "models"))
        registry = try ModelRegistry.load(directory: models.directory, availability: ModelBackends.availability(onnx))
        let known = registry.names
        func requireModel(_ name: String, key: String) throws {
            guard known.contains(name) else {
                throw ConfigurationError(key: key, reason: "must name a registered model (\(known.joined(separator: ", "))), got '\(name)'")
            }
        }
        models.defaultModel = values.string("models.default", default: models.defaultModel)
        try requireModel(models.defaultModel, key: "models.default")
        server.limits.models = Dictionary(registry.entries.map { ($0.config.name, $0.config.capabilities) }, uniquingKeysWith: { first, _ in first })
        server.limits.defaultModel = models.defaultModel
        server.models = registry.listings
        if let fallback = values.optionalString("worker.fallback_model"), !fallback.isEmpty {
            try requireModel(fallback, key: "worker.fallback_model")
            worker.fallbackModel = fallback
        }
        worker.preemptiblePriorities = Set(try values.strings("worker.preemptible_priorities", default: ["1", "2", "3"]).compactMap { text in
            if text == "none" { return nil }
            guard let value = Int(text), (1...3).contains(value) else {
                throw ConfigurationError(key: "worker.preemptible_priorities", reason: "must list priorities 1–3 (or none), got '\(text)'")
            }
            return value
        })
        worker.preemptibleTiers = Set(try values.strings("worker.preemptible_tiers", default: Tier.allCases.map(\.rawValue)).compactMap { text in
            if text == "none" { return nil }
            guard let tier = Tier(rawValue: text) else {
                throw ConfigurationError(key: "worker.preemptible_tiers", reason: "must list tiers of \(Tier.allCases.map(\.rawValue).joined(separator: ", ")) (or none), got '\(text)'")
            }
            return tier
        })
        worker.devices = try values.strings("worker.devices", default: ["cpu"]).map { text in
            guard let device = ComputeDevice(text) else {
                throw ConfigurationError(key: "worker.devices", reason: "must list cpu, gpu:N (0–63) or simulated, got '\(text)'")
            }
            return device
        }

        models.preload = values.strings("models.preload", default: models.preload).filter { $0 != "none" }
        for name in models.preload {
            try requireModel(name, key: "models.preload")
        }
        models.warmCount = try values.int("models.warm_count", default: models.warmCount, in: 1...64)
        models.memoryBudgetMiB = try values.int("models.memory_budget_mb", default: models.memoryBudgetMiB, in: 64...(1 << 24))

        assetLimits.maxImageBytes = try values.int("assets.max_image_bytes", default: assetLimits.maxImageBytes, in: 1024...(1 << 30))
        assetLimits.maxAudioBytes = try values.int("assets.max_audio_bytes", default: assetLimits.maxAudioBytes, in: 1024...(1 << 31))
        assetFetchTimeoutSeconds = try values.seconds("assets.fetch_timeout_seconds", default: assetFetchTimeoutSeconds, minimum: 0.5)

        if try values.bool("callbacks.enabled", default: true) {
            var retry = CallbackRetryPolicy()
            retry.windowSeconds = try values.seconds("callbacks.retry_window_seconds", default: retry.windowSeconds, minimum: 0)
            retry.firstDelaySeconds = try values.seconds("callbacks.first_delay_seconds", default: retry.firstDelaySeconds, minimum: 0.01)
            retry.maxDelaySeconds = try values.seconds("callbacks.max_delay_seconds", default: retry.maxDelaySeconds, minimum: retry.firstDelaySeconds)
            var callbacks = CallbackConfiguration(retry: retry)
            callbacks.timeoutSeconds = try values.seconds("callbacks.timeout_seconds", default: callbacks.timeoutSeconds, minimum: 0.1)
            callbacks.pollSeconds = try values.seconds("callbacks.poll_seconds", default: callbacks.pollSeconds, minimum: 0.01)
            self.callbacks = callbacks
        } else {
            callbacks = nil
        }
    }

    /// The `objects.*` keys.
    private static func objectStorage(_ values: ConfigValues) throws -> ObjectStorageSettings {
        var settings = ObjectStorageSettings()
        if let url = values.optionalString("objects.url"), !url.isEmpty {
            settings.location = try ObjectStorageSettings.location(url: url)
        }
        settings.multipartThresholdMiB = try values.int("objects.multipart_threshold_mb", default: settings.multipartThresholdMiB, in: 5...5_000_000)
        settings.partSizeMiB = try values.int("objects.part_size_mb", default: settings.partSizeMiB, in: 5...5120)
        if let text = values.optionalString("objects.public_endpoint"), !text.isEmpty {
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty || url.path == "/" else {
                throw ConfigurationError(key: "objects.public_endpoint", reason: "must be http(s)://host[:port], got '\(text.prefix(60))'")
            }
            settings.publicEndpoint = url
        }
        if let folder = values.optionalString("objects.spool_dir"), !folder.isEmpty {
            settings.spoolDirectory = URL(fileURLWithPath: folder)
        }
        settings.spoolMaxMiB = try values.int("objects.spool_max_mb", default: settings.spoolMaxMiB, in: 1...100_000_000)
        if let text = values.optionalString("objects.retention_days"), !text.isEmpty, text != "off" {
            guard let days = Int(text), (1...36_500).contains(days) else {
                throw ConfigurationError(key: "objects.retention_days", reason: "must be 1–36500 days or off, got '\(text.prefix(20))'")
            }
            settings.retentionDays = days
        }
        return settings
    }

    /// `VIDEOGENX_STORE_PASSWORD` (read straight from the environment, so it is never echoed by
    /// the configuration reader), else the first line of `store.password_file`.
    private static func storePassword(_ values: ConfigValues) throws -> String? {
        try storePassword(passwordFile: values.optionalString("store.password_file"))
    }

    /// The PostgreSQL password: `VIDEOGENX_STORE_PASSWORD`, else the first line of
    /// `passwordFile` (`store.password_file`); `videogenx migrate` reads it the same way.
    /// - Throws: ``ConfigurationError`` when the file cannot be read.
    public static func storePassword(passwordFile: String?) throws -> String? {
        if let password = ProcessInfo.processInfo.environment["VIDEOGENX_STORE_PASSWORD"], !password.isEmpty {
            return password
        }
        guard let file = passwordFile, !file.isEmpty else { return nil }
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } catch {
            throw ConfigurationError(key: "store.password_file", reason: "cannot read \(file): \(error.localizedDescription)")
        }
    }

    private static func limits(_ values: ConfigValues) throws -> GenerationLimits {
        var limits = GenerationLimits.platform
        let textMax = try values.int("limits.text_max_length", default: limits.textLength.upperBound, in: 1...100_000)
        limits.textLength = 1...textMax
        let durationMin = try values.int("limits.duration_min", default: limits.durationSeconds.lowerBound, in: 1...3600)
        let durationMax = try values.int("limits.duration_max", default: limits.durationSeconds.upperBound, in: durationMin...3600)
        limits.durationSeconds = durationMin...durationMax
        let stepsMin = try values.int("limits.steps_min", default: limits.steps.lowerBound, in: 1...1000)
        let stepsMax = try values.int("limits.steps_max", default: limits.steps.upperBound, in: stepsMin...1000)
        limits.steps = stepsMin...stepsMax
        let names = values.strings("limits.resolutions", default: Resolution.allCases.map(\.rawValue))
        limits.resolutions = try names.map { name in
            guard let resolution = Resolution(rawValue: name) else {
                throw ConfigurationError(
                    key: "limits.resolutions", reason: "must list some of \(Resolution.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'"
                )
            }
            return resolution
        }
        let rates = values.strings("limits.fps", default: limits.frameRates.map(String.init))
        limits.frameRates = try rates.map { text in
            guard let rate = Int(text), [24, 25, 30, 60].contains(rate) else {
                throw ConfigurationError(key: "limits.fps", reason: "must list some of 24, 25, 30, 60, got '\(text)'")
            }
            return rate
        }
        guard !limits.resolutions.isEmpty, !limits.frameRates.isEmpty else {
            throw ConfigurationError(key: limits.resolutions.isEmpty ? "limits.resolutions" : "limits.fps", reason: "must not be empty")
        }
        return limits
    }

    /// `otel.*`: `nil` (tracing off) unless `otel.endpoint` names an http(s) URL.
    /// - Throws: ``ConfigurationError`` naming the key for a bad URL or ratio.
    static func tracing(_ values: ConfigValues) throws -> TracingSettings? {
        guard let endpoint = values.optionalString("otel.endpoint"), !endpoint.isEmpty, endpoint != "off" else { return nil }
        guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError(key: "otel.endpoint", reason: "must be the OTLP/HTTP base URL http(s)://host:port (e.g. http://127.0.0.1:4318), got '\(endpoint.prefix(60))'")
        }
        let ratioText = values.string("otel.sampling_ratio", default: "1.0")
        guard let ratio = Double(ratioText), (0...1).contains(ratio) else {
            throw ConfigurationError(key: "otel.sampling_ratio", reason: "must be a number from 0 to 1, got '\(ratioText.prefix(20))'")
        }
        let name = values.string("otel.service_name", default: "videogenx")
        guard !name.isEmpty else { throw ConfigurationError(key: "otel.service_name", reason: "must not be empty") }
        return TracingSettings(endpoint: endpoint, serviceName: name, samplingRatio: ratio)
    }
}
