import Foundation
import Logging
import VideoGenXCore
import VideoGenXScheduler
import VideoGenXServer

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
    /// The object store's folder (`objects.url`, `file:///path`). Default `<data_dir>/objects`.
    public var objectsDirectory: URL?
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

    /// The folder of the object store.
    public var objectsFolder: URL { objectsDirectory ?? dataDirectory.appendingPathComponent("objects") }

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

    /// The defaults.
    public init() {}
}
