import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import VideoGenXMedia
import VideoGenXPlatform
import VideoGenXTestSupport

/// `videogenx serve` with `objects.url=s3://…`: results go to the run's moto server and clients
/// download them from presigned URLs themselves. The server checks no signatures (moto's IAM mode
/// cannot serve presigned GETs); the signing is proven against botocore and the signing server
/// in `S3ObjectStoreTests`.
@Suite("videogenx serve on S3", .serialized, .timeLimit(.minutes(5)), .enabled(if: S3TestServer.enabled))
final class S3EndToEndTests: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-serve-s3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A 2 s 720P clip in 4 steps (the limits lowered to allow it).
    static let body = #"{"text":"a paper boat on a pond","params":{"resolution":"720P","fps":24,"duration":2,"steps":4,"seed":5}}"#

    /// What the serve process needs besides `objects.url`: credentials and limits that allow a short clip.
    static func environment(objectsURL: String) -> [String: String] {
        [
            "VIDEOGENX_OBJECTS_URL": objectsURL, "AWS_ACCESS_KEY_ID": S3TestServer.accessKey, "AWS_SECRET_ACCESS_KEY": S3TestServer.secretKey,
            "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "4",
        ]
    }

    @Test("A task's video and thumbnail land in the bucket: video_url is a presigned URL of the store (expiring with api.url_expiry_seconds) that the client downloads itself — an HEVC MP4 by ffprobe; GET …/content redirects (302) to the store; at trace level no log line holds a presigned query string or the AWS secret")
    func presignedDownload() async throws {
        let prefix = "e2e-\(UUID().uuidString.lowercased())"
        var environment = Self.environment(objectsURL: S3TestServer.url(prefix: prefix, endpoint: S3TestServer.openEndpoint))
        environment["VIDEOGENX_LOG_FORMAT"] = "json"
        let log = directory.appendingPathComponent("serve.log")
        let signatures = try await ServeProcess.with(dataDirectory: directory, arguments: ["--log-level", "trace"], environment: environment, logFile: log) { server in
            let id = try await server.submit(Self.body)
            let task = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
            #expect(task["status"] as? String == "succeeded", "\(task)")
            let result = try #require(task["result"] as? [String: Any])
            let videoURL = try #require((result["video_url"] as? String).flatMap(URL.init(string:)))
            let open = try #require(URL(string: S3TestServer.openEndpoint))
            #expect(videoURL.host == open.host && videoURL.port == open.port, "\(videoURL)")
            #expect(videoURL.path == "/\(S3TestServer.bucket)/\(prefix)/videos/\(id)/video.mp4")
            let query = URLComponents(url: videoURL, resolvingAgainstBaseURL: false)?.queryItems ?? []
            #expect(query.first { $0.name == "X-Amz-Expires" }?.value == "1800")
            #expect(query.contains { $0.name == "X-Amz-Signature" } && query.contains { $0.name == "X-Amz-Credential" })

            let (video, response) = try await URLSession.shared.data(from: videoURL)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(result["size_bytes"] as? Int == video.count)
            let file = self.directory.appendingPathComponent("download.mp4")
            try video.write(to: file)
            let probe = try await FFprobe().probe(file.path)
            #expect(probe.video?.codec == "hevc" && probe.video?.width == 1280 && probe.video?.height == 720)
            #expect(abs(probe.duration - 2) <= 1.0 / 24 + 1e-6)
            let thumbnailURL = try #require((result["thumbnail_url"] as? String).flatMap(URL.init(string:)))
            let (thumbnail, _) = try await URLSession.shared.data(from: thumbnailURL)
            #expect(thumbnail.prefix(4) == Data("RIFF".utf8) && thumbnail.dropFirst(8).prefix(4) == Data("WEBP".utf8))

            // /content: a redirect to the store (followed here), never the bytes through the API.
            let content = try await server.download("/api/v1/video/task/\(id)/content")
            #expect(content.redirectedTo?.host == open.host && content.redirectedTo?.port == open.port, "\(String(describing: content.redirectedTo))")
            #expect(content.status == 200 && content.body == video)
            return [videoURL, thumbnailURL, content.redirectedTo].compactMap { url in
                url.flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "X-Amz-Signature" }?.value }
            }
        }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 10 && signatures.count == 3)
        for line in lines {
            #expect(!line.contains("X-Amz-Signature") && !line.contains(S3TestServer.secretKey), "\(line)")
            for signature in signatures { #expect(!line.contains(signature), "\(line)") }
        }
    }
}

extension S3EndToEndTests {
    @Test("S3 down while a task renders: it waits at stage uploading with its video in the spool; kill -9 of serve; S3 and serve started again: the task succeeds with the spooled bytes (presigned download), one callback")
    func spoolSurvivesKill() async throws {
        let s3 = try PrivateS3Server()
        defer { s3.stop() }
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            let environment = Self.environment(objectsURL: s3.url(prefix: "spool"))
            let arguments = ["--url-allowlist", "127.0.0.1"]
            let body = Self.body.replacingOccurrences(of: "{\"text\"", with: "{\"callback_url\":\"http://127.0.0.1:\(port)/hook\",\"text\"")
            let spool = self.directory.appendingPathComponent("spool")
            let (id, spooled) = try await ServeProcess.with(dataDirectory: self.directory, leaseSeconds: 120, arguments: arguments, environment: environment) { server in
                let id = try await server.submit(body)
                // Until it uploads, or ends (a failure shows in the expectation below).
                let task = try await server.waitFor(id) {
                    ($0["stage"] as? String) == "uploading" || ["succeeded", "failed", "cancelled"].contains($0["status"] as? String)
                }
                #expect(task["status"] as? String == "processing" && task["stage"] as? String == "uploading", "\(task)")
                let record = spool.appendingPathComponent("\(id)/record.json")
                try await eventually(seconds: 90) { FileManager.default.fileExists(atPath: record.path) }
                let spooled = try Data(contentsOf: spool.appendingPathComponent("\(id)/video.mp4"))
                try server.kill()
                return (id, spooled)
            }
            #expect(receiver.count == 0)
            try await s3.start()
            try await ServeProcess.with(dataDirectory: self.directory, leaseSeconds: 120, arguments: arguments, environment: environment) { server in
                let task = try await server.waitFor(id) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                #expect(task["status"] as? String == "succeeded" && task["attempt"] as? Int ?? 0 == 0, "\(task)")
                let result = try #require(task["result"] as? [String: Any])
                let videoURL = try #require((result["video_url"] as? String).flatMap(URL.init(string:)))
                #expect(videoURL.port == s3.port)
                let (video, _) = try await URLSession.shared.data(from: videoURL)
                #expect(video == spooled, "the stored video is the one rendered before the kill")
                try await eventually { receiver.count >= 1 }
                try await Task.sleep(for: .seconds(2))
                #expect(receiver.count == 1)
                #expect(!FileManager.default.fileExists(atPath: spool.appendingPathComponent(id).path), "the spool entry is gone")
            }
        }
    }
}

extension S3EndToEndTests {
    @Test("api and worker processes on PostgreSQL with separate data folders share results only through S3: a task submitted to the api is rendered by the worker, and the client downloads it from the presigned URL the api hands out", .enabled(if: PostgresTestServer.enabled))
    func apiAndWorkerThroughS3() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let prefix = "cluster-\(UUID().uuidString.lowercased())"
        let environment = Self.environment(objectsURL: S3TestServer.url(prefix: prefix, endpoint: S3TestServer.openEndpoint))
            .merging(["VIDEOGENX_STORE_URL": database.url]) { _, new in new }
        let apiFolder = directory.appendingPathComponent("api")
        let workerFolder = directory.appendingPathComponent("worker")
        try await ServeProcess.with("api", dataDirectory: apiFolder, environment: environment) { api in
            try await ServeProcess.with("worker", dataDirectory: workerFolder, environment: environment) { _ in
                let id = try await api.submit(Self.body)
                let task = try await api.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
                #expect(task["status"] as? String == "succeeded", "\(task)")
                let result = try #require(task["result"] as? [String: Any])
                let videoURL = try #require((result["video_url"] as? String).flatMap(URL.init(string:)))
                #expect(videoURL.path.hasPrefix("/\(S3TestServer.bucket)/\(prefix)/videos/\(id)/"), "\(videoURL)")
                let (video, _) = try await URLSession.shared.data(from: videoURL)
                #expect(result["size_bytes"] as? Int == video.count)
                let file = apiFolder.appendingPathComponent("download.mp4")
                try video.write(to: file)
                #expect(try await FFprobe().probe(file.path).video?.codec == "hevc")
                for folder in [apiFolder, workerFolder] {
                    let objects = folder.appendingPathComponent("objects")
                    #expect(!FileManager.default.fileExists(atPath: objects.path), "nothing in \(objects.path)")
                }
            }
        }
    }
}
