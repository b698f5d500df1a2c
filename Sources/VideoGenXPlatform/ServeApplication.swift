import Foundation
import Hummingbird
import Logging
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXServer
import VideoGenXStore

/// The composition root of `serve` (embedded mode, DESIGN §1): SQLite task store and folder
/// object store under the data directory, the procedural model on the CPU, one in-process worker,
/// and the HTTP API, run together as one Hummingbird application (SIGTERM/SIGINT shut it down
/// gracefully: the API stops accepting and a running task is released to the queue).
public enum ServeApplication {
    /// Builds the application for `configuration`.
    /// - Throws: when the data directory, database or signing key cannot be prepared.
    public static func build(_ configuration: ServeConfiguration, logger: Logger) throws -> some ApplicationProtocol {
        let data = configuration.dataDirectory
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let store = try SQLiteTaskStore(path: data.appendingPathComponent("tasks.sqlite").path)
        let signer = try URLSigner(secret: try signingSecret(in: data))
        let objects = try FileObjectStore(root: data.appendingPathComponent("objects"), publicBaseURL: configuration.baseURL, signer: signer)
        let worker = Worker(
            store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder()),
            configuration: configuration.worker, logger: logger
        )
        let health = worker.health
        let runsWorker = configuration.runsWorker
        let api = VideoAPI(
            store: store, objects: objects, signer: signer, configuration: configuration.server,
            workerRunning: { !runsWorker || health.isRunning }
        )
        return Application(
            router: api.buildRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "VideoGenX"),
            services: runsWorker ? [worker] : [],
            logger: logger
        )
    }

    /// The URL-signing secret kept in `data/url-signing.key` (created 0600 with 32 random bytes),
    /// so result URLs stay valid across restarts.
    static func signingSecret(in directory: URL) throws -> [UInt8] {
        let path = directory.appendingPathComponent("url-signing.key").path
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 {
            return [UInt8](existing)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        guard FileManager.default.createFile(atPath: path, contents: Data(secret), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return secret
    }
}
