import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import VideoGenXCacheRedis
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXServer
import VideoGenXStore
import VideoGenXStorePostgres

/// The composition root of every long-running role (DESIGN §1): `serve` (the HTTP API, a worker
/// and the webhook dispatcher in one process), `api` (the HTTP API alone) and `worker` (devices,
/// batch scheduler, lease sweep, webhook dispatcher, partition maintenance, and `/healthz` +
/// `/readyz` on `worker.http_port`). The task store is the one `store.url` names (SQLite by
/// default, PostgreSQL for a cluster), the object store the folder or S3 bucket of `objects.url`, the model the
/// procedural one on the CPU.
///
/// SIGTERM/SIGINT shut it down gracefully, in this order: the API stops accepting (event
/// streams end), the worker claims nothing more and gives running tasks
/// ``WorkerConfiguration/shutdownGraceSeconds`` to finish before releasing them to the queue,
/// then the dispatcher stops (undelivered callbacks wait in the store for the next start).
public enum ServeApplication {
    /// Runs `role` for `configuration` until SIGTERM/SIGINT (or cancellation): opens the stores
    /// and keeps them running beside the role's service group, which ends before them; calls
    /// `started` once everything is built. Creates the local admin API key on first start of a
    /// role that serves the API (see ``AccessSetup``). `metrics` is the bootstrapped metrics
    /// backend `/metrics` renders (on the API port, or on `worker.http_port` for a worker);
    /// `nil` serves no `/metrics`. `telemetry` are the bootstrapped exporters' services (the
    /// span exporter): they start first and stop last, so the last spans are flushed.
    /// - Throws: ``ConfigurationError`` for bad settings; when the data directory, database or
    ///   keys cannot be prepared.
    public static func run(
        _ configuration: ServeConfiguration, role: Role = .serve, logger: Logger, metrics: MetricsEndpoint? = nil,
        telemetry: [any Service] = [], started: @Sendable () -> Void = {}
    ) async throws {
        let stores = try await Stores.open(configuration, logger: logger)
        try await stores.whileRunning {
            let group = try await build(configuration, role: role, stores: stores, metrics: metrics, telemetry: telemetry, logger: logger)
            started()
            try await group.run()
        }
    }

    /// The service group of `role` over `stores` (which must be running).
    private static func build(
        _ configuration: ServeConfiguration, role: Role, stores: Stores, metrics: MetricsEndpoint?, telemetry: [any Service], logger: Logger
    ) async throws -> ServiceGroup {
        let nvml: NVML?
        do {
            nvml = try ComputeDevice.openNVML(for: configuration.worker.devices)
        } catch {
            throw ConfigurationError(key: "worker.devices", reason: error.message)
        }
        let data = configuration.dataDirectory
        // Owner-only: it holds the databases and the keys.
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = stores.tasks
        let signer = try URLSigner(secret: try KeyFile.loadOrCreate("url-signing.key", in: data))
        let objects = try configuration.openObjectStore(signer: signer, logger: logger)
        // One warm model cache per device: a model is loaded on the device its task runs on.
        let descriptors = ModelBackends.descriptors(configuration.registry, onnx: configuration.onnx)
        let caches = configuration.worker.devices.map { device in
            ModelCache(
                device: device, budgetBytes: UInt64(configuration.models.memoryBudgetMiB) << 20, warmCount: configuration.models.warmCount,
                descriptors: descriptors, logger: logger
            )
        }
        let runsWorker = role.runsWorker(configuration)
        if runsWorker {
            for cache in caches { try await cache.preload(configuration.models.preload) }
            ModelBackends.logProviders(configuration, logger: logger)
        }
        let renderer = VideoRenderer(
            model: ProceduralModel(), encoder: FFmpegEncoder(),
            fetcher: GuardedAssetFetcher(allowlist: configuration.urlAllowlist, timeoutSeconds: configuration.assetFetchTimeoutSeconds),
            assetLimits: configuration.assetLimits, objects: objects
        )
        var fallbackRenderer: VideoRenderer?
        if let name = configuration.worker.fallbackModel, let entry = configuration.registry.entry(name) {
            fallbackRenderer = renderer
            fallbackRenderer?.model = ModelBackends.make(entry, precision: entry.config.variants.first?.precision ?? "fp32", onnx: configuration.onnx)
            fallbackRenderer?.modelName = name
        }
        var spool: UploadSpool?
        if runsWorker {
            spool = try UploadSpool(
                directory: configuration.spoolFolder, maxBytes: configuration.objects.spoolMaxMiB << 20, store: store, objects: objects,
                leaseSeconds: configuration.worker.leaseSeconds, heartbeatSeconds: configuration.worker.heartbeatSeconds, logger: logger
            )
        }
        let health = WorkerHealth(spool: spool)
        let monitor = runsWorker ? Self.deviceMonitor(configuration.worker.devices, health: health, nvml: nvml, logger: logger) : nil
        let worker = Worker(
            store: store, objects: objects, spool: spool, renderer: renderer, fallbackRenderer: fallbackRenderer,
            configuration: configuration.worker, devices: monitor?.batchDevices, health: health,
            modelCaches: Dictionary(zip(configuration.worker.devices.map(\.name), caches), uniquingKeysWith: { first, _ in first }), logger: logger
        )
        let secrets = configuration.callbacks == nil ? nil : WebhookSecrets(masterKey: try KeyFile.loadOrCreate("webhook-master.key", in: data))
        // Shut down in reverse order: the HTTP side first, then the worker, then the dispatcher
        // (the stores outlive the group).
        var services: [any Service] = telemetry
        if role != .api, let callbacks = configuration.callbacks, let secrets {
            services.append(Self.dispatcher(
                store, objects: objects, secrets: secrets, configuration: callbacks,
                urlExpirySeconds: configuration.server.urlExpirySeconds, urlAllowlist: configuration.urlAllowlist, logger: logger
            ))
        }
        if runsWorker, let days = configuration.objects.retentionDays {
            services.append(ResultRetention(days: days, store: store, objects: objects, logger: logger))
        }
        if role != .api, let postgres = stores.postgres {
            services.append(PartitionMaintenance(store: postgres, logger: logger))
        }
        if let monitor { services.append(monitor) }
        if runsWorker { services.append(worker) }
        var exposition: MetricsExposition?
        if let metrics {
            metrics.collect(ScrapeGauges.queueDepth(store, logger: logger))
            if let monitor { metrics.collect(ScrapeGauges.devices { monitor.current() }) }
            exposition = MetricsExposition(contentType: MetricsEndpoint.contentType) { await metrics.render() }
        }
        if role == .worker {
            let router = WorkerHealthRouter.build(store: store, objects: objects, metrics: exposition, workerProblem: { health.problem })
            services.append(Application(
                router: router,
                configuration: .init(address: .hostname(configuration.host, port: configuration.workerHTTPPort), serverName: "VideoGenX worker"),
                logger: logger
            ))
        } else {
            let shared = configuration.cacheURL.map { SharedCache(url: $0, logger: logger) }
            if let shared { services.append(shared.client) }
            let access = try AccessSetup(configuration, credentials: shared?.credentials(over: stores.credentials) ?? stores.credentials, logger: logger)
            try await access.ensureAdminKey()
            var deviceStatuses: (@Sendable () -> [DeviceStatus])?
            if let monitor {
                deviceStatuses = { monitor.current() }
            }
            var server = configuration.server
            server.publicBaseURL = configuration.baseURL
            let statusCache = configuration.statusCacheEntries > 0
                ? TaskStatusCache(store: store, capacity: configuration.statusCacheEntries, shared: shared?.tasks) : nil
            if let statusCache { services.append(statusCache) }
            let api = VideoAPI(
                store: store, objects: objects, signer: signer, configuration: server, webhookSecrets: secrets,
                authenticator: access.authenticator, rateLimiter: shared?.rateLimiter ?? InMemoryRateLimiter(), workerProblem: { runsWorker ? health.problem : nil },
                deviceStatuses: deviceStatuses, modelStatuses: { caches.flatMap(\.statuses) }, metrics: exposition,
                statusCache: statusCache
            )
            services.append(Application(
                router: api.buildRouter(),
                configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "VideoGenX"),
                logger: logger
            ))
        }
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.worker.shutdownGraceSeconds + 30)
        return ServiceGroup(configuration: groupConfiguration)
    }

    /// The webhook dispatcher over `store` (opened from the existential the stores hold).
    private static func dispatcher<Store: TaskStore & CallbackOutbox>(
        _ store: Store, objects: any ObjectStore, secrets: WebhookSecrets, configuration: CallbackConfiguration,
        urlExpirySeconds: Double, urlAllowlist: [String], logger: Logger
    ) -> any Service {
        CallbackDispatcher(
            store: store, objects: objects, secrets: secrets, configuration: configuration,
            urlExpirySeconds: urlExpirySeconds, urlAllowlist: urlAllowlist, logger: logger
        )
    }

    /// The monitor of the worker's devices; simulated devices get the benchmark's cost model.
    private static func deviceMonitor(_ devices: [ComputeDevice], health: WorkerHealth, nvml: NVML?, logger: Logger) -> DeviceMonitor {
        let clock = MonotonicClock.continuous
        var simulated: [String: SimulatedDevice] = [:]
        for device in devices where device == .simulated {
            simulated[device.description] = SimulatedDevice(
                name: device.description,
                cost: DeviceCostModel(fixedSeconds: 0.055, perItemSeconds: 0.015, baseMemory: 4 << 30, perItemMemory: 1 << 30, totalMemory: 16 << 30),
                clock: clock
            )
        }
        return DeviceMonitor(devices: devices, health: health, nvml: nvml, simulated: simulated, logger: logger)
    }
}

/// Which part of the platform a process runs.
public enum Role: String, Sendable, Hashable, CaseIterable {
    /// The HTTP API, a worker (unless `worker.enabled` is false) and the dispatcher: embedded mode.
    case serve
    /// The HTTP API only.
    case api
    /// Devices, batch scheduler, lease sweep, dispatcher and partition maintenance; health on
    /// `worker.http_port`.
    case worker

    /// Whether this role renders tasks under `configuration`.
    func runsWorker(_ configuration: ServeConfiguration) -> Bool {
        switch self {
        case .serve: configuration.runsWorker
        case .api: false
        case .worker: true
        }
    }
}
