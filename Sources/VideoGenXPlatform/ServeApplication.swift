import VideoGenXCore
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXServer
import VideoGenXStore

/// The composition root of `serve` (embedded mode, DESIGN §1): SQLite task store and folder
/// object store under the data directory, the procedural model on the CPU, one in-process worker
/// (a batch scheduler over the configured devices),
/// the webhook dispatcher and the HTTP API, run as one service group.
///
/// SIGTERM/SIGINT shut it down gracefully, in this order: the API stops accepting (event
/// streams end), the worker claims nothing more and gives running tasks
/// ``WorkerConfiguration/shutdownGraceSeconds`` to finish before releasing them to the queue,
/// then the dispatcher stops (undelivered callbacks wait in the store for the next start).
public enum ServeApplication {
    /// Builds the service group for `configuration`.
    /// Creates the local admin API key on first start (see ``AccessSetup``).
    /// - Throws: when the data directory, database or keys cannot be prepared.
    public static func build(_ configuration: ServeConfiguration, logger: Logger) async throws -> ServiceGroup {
        let nvml: NVML?
        do {
            nvml = try DeviceSpec.openNVML(for: configuration.worker.devices)
        } catch {
            throw ConfigurationError(key: "worker.devices", reason: error.message)
        }
        let data = configuration.dataDirectory
        // Owner-only: it holds the databases and the keys.
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let store = try SQLiteTaskStore(path: data.appendingPathComponent("tasks.sqlite").path)
        let signer = try URLSigner(secret: try KeyFile.loadOrCreate("url-signing.key", in: data))
        let objects = try FileObjectStore(root: data.appendingPathComponent("objects"), publicBaseURL: configuration.baseURL, signer: signer)
        let models = ModelCache(
            device: .cpu, budgetBytes: UInt64(configuration.models.memoryBudgetMiB) << 20, warmCount: configuration.models.warmCount,
            descriptors: ModelCatalog.descriptors, logger: logger
        )
        if configuration.runsWorker {
            try await models.preload(configuration.models.preload)
        }
        var renderer = VideoRenderer(
            model: ProceduralModel(), encoder: FFmpegEncoder(),
            fetcher: GuardedAssetFetcher(allowlist: configuration.urlAllowlist, timeoutSeconds: configuration.assetFetchTimeoutSeconds),
            assetLimits: configuration.assetLimits, objects: objects
        )
        renderer.models = models
        var fallbackRenderer: VideoRenderer?
        if let name = configuration.worker.fallbackModel, let model = ModelCatalog.makeModel(named: name) {
            fallbackRenderer = renderer
            fallbackRenderer?.model = model
        }
        let health = WorkerHealth()
        let runsWorker = configuration.runsWorker
        let monitor = runsWorker ? Self.deviceMonitor(configuration.worker.devices, health: health, nvml: nvml, logger: logger) : nil
        let worker = Worker(
            store: store, objects: objects, renderer: renderer, fallbackRenderer: fallbackRenderer,
            configuration: configuration.worker, devices: monitor?.batchDevices, health: health, logger: logger
        )
        let secrets = configuration.callbacks == nil ? nil : WebhookSecrets(masterKey: try KeyFile.loadOrCreate("webhook-master.key", in: data))
        let access = try AccessSetup(configuration, logger: logger)
        try await access.ensureAdminKey()
        var deviceStatuses: (@Sendable () -> [DeviceStatus])?
        if let monitor {
            deviceStatuses = { monitor.current() }
        }
        let api = VideoAPI(
            store: store, objects: objects, signer: signer, configuration: configuration.server, webhookSecrets: secrets,
            authenticator: access.authenticator, workerRunning: { !runsWorker || health.isRunning },
            deviceStatuses: deviceStatuses, modelStatuses: { models.statuses }
        )
        let app = Application(
            router: api.buildRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "VideoGenX"),
            logger: logger
        )
        // Shut down in reverse order: the API first, then the worker, then the dispatcher.
        var services: [any Service] = []
        if let callbacks = configuration.callbacks, let secrets {
            services.append(CallbackDispatcher(
                store: store, objects: objects, secrets: secrets, configuration: callbacks,
                urlExpirySeconds: configuration.server.urlExpirySeconds, urlAllowlist: configuration.urlAllowlist, logger: logger
            ))
        }
        if let monitor { services.append(monitor) }
        if runsWorker { services.append(worker) }
        services.append(app)
        var groupConfiguration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(configuration.worker.shutdownGraceSeconds + 30)
        return ServiceGroup(configuration: groupConfiguration)
    }

    /// The monitor of the worker's devices; simulated devices get the benchmark's cost model.
    private static func deviceMonitor(_ devices: [DeviceSpec], health: WorkerHealth, nvml: NVML?, logger: Logger) -> DeviceMonitor {
        let clock = ContinuousClock()
        let start = clock.now
        var simulated: [String: SimulatedDevice] = [:]
        for device in devices where device == .simulated {
            simulated[device.description] = SimulatedDevice(
                name: device.description,
                cost: DeviceCostModel(fixedSeconds: 0.055, perItemSeconds: 0.015, baseMemory: 4 << 30, perItemMemory: 1 << 30, totalMemory: 16 << 30),
                clock: clock, now: { (clock.now - start).seconds }
            )
        }
        return DeviceMonitor(devices: devices, health: health, nvml: nvml, simulated: simulated, logger: logger)
    }
}
