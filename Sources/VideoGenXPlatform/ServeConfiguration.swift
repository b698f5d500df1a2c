import Foundation
import Logging
import VideoGenXCacheRedis
import VideoGenXCore
import VideoGenXScheduler
import VideoGenXServer
import VideoGenXTelemetry

/// Everything `videogenx serve` needs: where to listen, where data lives, and the worker's and
/// the API's settings. Every key is documented in the README with its default.
public struct ServeConfiguration: Sendable {
    /// Address to listen on. Default `127.0.0.1`.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 8000.
    public var port: Int
    /// Folder for the SQLite file, objects and the URL-signing key. Default `./data`.
    public var dataDirectory: URL
    /// Base of the URLs handed to clients. Default `http://<host>:<port>`.
    public var publicBaseURL: String?
    /// Whether to run the in-process worker. Default true; false serves the API alone.
    public var runsWorker: Bool
    /// The worker's settings.
    public var worker: WorkerConfiguration
    /// The API's settings.
    public var server: ServerConfiguration
    /// The webhook dispatcher's settings; `nil` disables callbacks. Default enabled.
    public var callbacks: CallbackConfiguration?
    /// Log level. Default `info`.
    public var logLevel: Logger.Level
    /// Log lines as JSON objects or plain text (`log.format`). Default `json`.
    public var logFormat = LogFormat.json
    /// Whether the process exports Prometheus metrics at `GET /metrics` (`metrics.enabled`).
    /// Default `true`.
    public var metricsEnabled = true
    /// Tasks the API's status cache holds (`cache.max_entries`); 0 turns it off.
    public var statusCacheEntries = 10_000
    /// The Redis that API nodes share for status reads, rate limits and nonces (`cache.url`,
    /// `redis://…`); `nil`, the default, keeps all three in process.
    public var cacheURL: RedisURL?
    /// Where spans are exported (`otel.endpoint`, `otel.service_name`, `otel.sampling_ratio`);
    /// `nil`, the default, records no traces.
    public var tracing: TracingSettings?
    /// Whether `Authorization: Bearer <key>:<secret>` is accepted besides signatures. Default false.
    public var allowBearer: Bool = false
    /// Largest clock difference of a signed request. Default 300 s.
    public var timestampToleranceSeconds: Double = 300
    /// The file of the key sealing API-key secrets. Default `<data dir>/secrets.key`.
    public var secretsKeyFile: String?
    /// Size caps of fetched images and music (`assets.max_image_bytes`, `assets.max_audio_bytes`).
    public var assetLimits = AssetLimits()
    /// Deadline of one asset download in seconds (`assets.fetch_timeout_seconds`). Default 20.
    public var assetFetchTimeoutSeconds: Double = 20
    /// The warm model cache (`models.*`).
    public var models = ModelCacheSettings()
    /// The model registry read from `models.dir` (the built-in model alone until read).
    public var registry = ModelRegistry(entries: [.init(config: ModelRegistry.procedural, directory: nil, file: nil, unavailableReason: nil)])
    /// The ONNX Runtime backend (`onnx.*`).
    public var onnx = OnnxSettings()
    /// The task and credential store (`store.url`). Default `sqlite://<data_dir>/tasks.sqlite`.
    public var store: StoreLocation?
    /// The PostgreSQL password: `VIDEOGENX_STORE_PASSWORD`, else the file `store.password_file`
    /// names. Never logged.
    public var storePassword: String?
    /// Most pooled PostgreSQL connections per process (`store.max_connections`). Default 20.
    public var storeMaxConnections = 20
    /// Longest a PostgreSQL operation waits before failing as unavailable (the API then answers
    /// `503`), in seconds (`store.operation_timeout_seconds`). Default 5.
    public var storeOperationTimeoutSeconds: Double = 5
    /// The object store and its spool (`objects.*`).
    public var objects = ObjectStorageSettings()
    /// Port of the worker role's `/healthz` and `/readyz` (`worker.http_port`). Default 8001.
    public var workerHTTPPort = 8001

    /// Creates a configuration; defaults as documented on each property.
    public init(
        host: String = "127.0.0.1", port: Int = 8000, dataDirectory: URL = URL(fileURLWithPath: "data"),
        publicBaseURL: String? = nil, runsWorker: Bool = true, worker: WorkerConfiguration = WorkerConfiguration(),
        server: ServerConfiguration = ServerConfiguration(), callbacks: CallbackConfiguration? = CallbackConfiguration(),
        logLevel: Logger.Level = .info
    ) {
        self.callbacks = callbacks
        self.logLevel = logLevel
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.publicBaseURL = publicBaseURL
        self.runsWorker = runsWorker
        self.worker = worker
        self.server = server
    }

    /// Hosts user-given URLs may name although they resolve to private addresses (the API's
    /// ``ServerConfiguration/urlAllowlist``). Default none.
    public var urlAllowlist: [String] {
        get { server.urlAllowlist }
        set { server.urlAllowlist = newValue }
    }

    /// The store `store.url` names, or the SQLite file in the data directory.
    public var storeLocation: StoreLocation {
        store ?? .sqlite(path: dataDirectory.appendingPathComponent("tasks.sqlite").path)
    }

    /// The object store `objects.url` names, or the folder `objects` in the data directory.
    public var objectsLocation: ObjectStorageSettings.Location {
        objects.location ?? .folder(dataDirectory.appendingPathComponent("objects"))
    }

    /// The upload spool's folder (`objects.spool_dir`, default `<data_dir>/spool`).
    public var spoolFolder: URL { objects.spoolDirectory ?? dataDirectory.appendingPathComponent("spool") }

    /// The base URL clients reach the API at.
    public var baseURL: String { publicBaseURL ?? "http://\(host):\(port)" }
}

/// The worker's warm model cache settings (`models.*` keys).
public struct ModelCacheSettings: Sendable, Hashable {
    /// Models loaded at start-up. Default `procedural`.
    public var preload: [String] = ["procedural"]
    /// Idle models kept loaded, the most recently used. Default 2.
    public var warmCount = 2
    /// Memory the loaded models may hold together, in MiB. Default 4096.
    public var memoryBudgetMiB = 4096
    /// Where model configs (`*.yaml`) are read from (`models.dir`). Default `./models`.
    public var directory = URL(fileURLWithPath: "models")
    /// The model of a request without `params.model` (`models.default`). Default `procedural`.
    public var defaultModel = "procedural"

    /// The defaults.
    public init() {}
}

/// The ONNX Runtime backend's settings (`onnx.*` keys).
public struct OnnxSettings: Sendable, Hashable {
    /// The runtime's shared library (`onnx.library`). Default: the `libonnxruntime.so.*` of the
    /// onnxruntime wheel in `./.venv-models` (`make model-deps`), else `libonnxruntime.so` on
    /// the library path.
    public var library: String?
    /// Execution providers in order of preference (`onnx.providers`), for models whose config
    /// names none. Default `cpu`.
    public var providers = ["cpu"]
    /// Intra-op threads per session (`onnx.threads`); 0: one per core. Default 1: the members of
    /// a batch run side by side, one thread each (a larger pool spin-waits between runs).
    public var threads = 1

    /// The defaults.
    public init() {}

    /// `library`, or the default described on it.
    public var libraryPath: String {
        if let library { return library }
        let lib = URL(fileURLWithPath: ".venv-models/lib")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        for version in versions.sorted() where version.hasPrefix("python") {
            let capi = lib.appendingPathComponent("\(version)/site-packages/onnxruntime/capi")
            if let names = try? FileManager.default.contentsOfDirectory(atPath: capi.path),
               let name = names.sorted().last(where: { $0.hasPrefix("libonnxruntime.so.") })
            {
                return capi.appendingPathComponent(name).path
            }
        }
        return "libonnxruntime.so"
    }
}
