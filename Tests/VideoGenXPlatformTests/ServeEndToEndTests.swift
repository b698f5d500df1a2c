import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Subprocess
import SystemPackage
import Testing
import VideoGenXClient
import VideoGenXMedia
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXTestSupport

/// `videogenx serve` as a user runs it: the real binary on a free loopback port with a temporary
/// data folder, driven over real HTTP, its videos checked with ffprobe.
@Suite("videogenx serve end to end", .serialized, .timeLimit(.minutes(5)))
final class ServeEndToEndTests: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A short 720P clip the platform's default limits accept (15 s is their minimum), kept cheap
    /// with few steps and the fastest preset being the worker's default.
    static let body = #"{"text":"a blue whale swimming in the ocean","params":{"resolution":"720P","fps":24,"duration":15,"steps":20,"seed":3}}"#

    @Test("Submit with a callback, follow over SSE to succeeded, download through video_url: an HEVC 720P 24 fps 15 s MP4; the signed callback carries the result")
    func submitAndDownload() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await ServeProcess.with(dataDirectory: self.directory, arguments: ["--url-allowlist", "127.0.0.1"]) { server in
                let body = Self.body.replacingOccurrences(of: "{\"text\"", with: "{\"callback_url\":\"http://127.0.0.1:\(port)/hook\",\"text\"")
                let id = try await server.submit(body)
                let watch = try await CLI.run(["watch", id, "--server", server.base, "--key-file", server.keyFile])
                #expect(watch.status == .exited(0), "\(watch.stderr)")
                let lines = watch.stderr.split(separator: "\n")
                #expect(lines.last == "succeeded 100% ", "\(lines.suffix(3))")
                #expect(lines.contains { $0.hasPrefix("processing") && $0.contains("sampling") }, "progress is streamed")
                let (_, json) = try await server.request("GET", "/api/v1/video/task/\(id)")
                let task = try #require(json["data"] as? [String: Any])
                #expect(task["status"] as? String == "succeeded", "\(task)")
                let result = try #require(task["result"] as? [String: Any])
                let videoURL = try #require((result["video_url"] as? String).flatMap(URL.init(string:)))
                let (video, response) = try await URLSession.shared.data(from: videoURL)
                #expect((response as? HTTPURLResponse)?.statusCode == 200)
                let path = self.directory.appendingPathComponent("download.mp4")
                try video.write(to: path)
                let probe = try await FFprobe().probe(path.path)
                let stream = try #require(probe.video)
                #expect(stream.codec == "hevc" && stream.width == 1280 && stream.height == 720)
                #expect(abs((stream.fps ?? 0) - 24) < 0.01)
                #expect(abs(probe.duration - 15) <= 1.0 / 24 + 1e-6)
                #expect(result["size_bytes"] as? Int == video.count)
                let thumbnailURL = try #require((result["thumbnail_url"] as? String).flatMap(URL.init(string:)))
                let (thumbnail, _) = try await URLSession.shared.data(from: thumbnailURL)
                #expect(thumbnail.prefix(4) == Data("RIFF".utf8) && thumbnail.dropFirst(8).prefix(4) == Data("WEBP".utf8))

                // The callback: one delivery, signed with this user's secret, carrying the result.
                let signer = try await server.webhookSigner()
                try await eventually { receiver.count >= 1 }
                let delivery = try #require(receiver.requests.first)
                #expect(delivery.id == "msg_\(id)_succeeded")
                #expect(signer.verify(id: delivery.id, timestamp: Int64(delivery.timestamp) ?? 0, body: delivery.body, header: delivery.signature))
                let payload = try #require(try JSONSerialization.jsonObject(with: delivery.body) as? [String: Any])
                #expect(payload["type"] as? String == "task.succeeded")
                let sent = try #require((payload["data"] as? [String: Any])?["result"] as? [String: Any])
                #expect((sent["video_url"] as? String)?.contains("/api/v1/objects/") == true && sent["size_bytes"] as? Int == video.count)
            }
        }
    }

    @Test("A finished video: CN+EN subtitles, an image watermark fetched over HTTP, a reference image given as a result's object key, built-in music, H.264 for browsers")
    func finishedVideo() async throws {
        try await ServeProcess.with(dataDirectory: self.directory, arguments: ["--url-allowlist", "127.0.0.1"]) { server in
            // The first video's thumbnail (a WebP behind a signed loopback URL) is the image the second fetches.
            let first = try await server.submit(Self.body)
            let done = try await server.waitFor(first) { ($0["status"] as? String) == "succeeded" }
            let thumbnail = try #require((done["result"] as? [String: Any])?["thumbnail_url"] as? String)
            let body = #"""
            {"text":"a lake at dawn","image":"videos/\#(first)/thumbnail.webp","params":{"resolution":"720P","fps":24,"duration":15,"steps":20,"seed":4,
             "subtitle":{"segments":[{"start":0,"end":7,"text":"清晨的湖面"},{"start":7,"end":15,"text":"A lake at dawn"}],"font":"simhei"},
             "watermark":{"image":"\#(thumbnail)","opacity":60,"position":"top_left"},
             "background_music":{"builtin":"default","volume":0.8,"fade_out":2},"codec":"h264","preset":"ultrafast"}}
            """#
            let id = try await server.submit(body)
            let task = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String ?? "") }
            #expect(task["status"] as? String == "succeeded", "\(task)")
            let result = try #require(task["result"] as? [String: Any])
            #expect(result["codec"] as? String == "h264" && result["audio_codec"] as? String == "aac")
            #expect((result["font"] as? String)?.isEmpty == false)
            let (video, _) = try await URLSession.shared.data(from: try #require((result["video_url"] as? String).flatMap(URL.init(string:))))
            let path = self.directory.appendingPathComponent("finished.mp4")
            try video.write(to: path)
            let probe = try await FFprobe().probe(path.path)
            #expect(probe.video?.codec == "h264" && probe.video?.tag == "avc1")
            let audio = try #require(probe.streams.first { $0.type == "audio" })
            #expect(audio.codec == "aac" && abs((audio.duration ?? 0) - 15) < 0.2)
        }
    }

    @Test("A callback receiver that fails twice gets the third attempt with the same webhook-id, each signed; a loopback callback without the allowlist is a 400")
    func callbackRetries() async throws {
        let receiver = WebhookReceiver(answers: [500, 502])
        try await receiver.run { port in
            let environment = ["VIDEOGENX_CALLBACKS_FIRST_DELAY_SECONDS": "0.2", "VIDEOGENX_CALLBACKS_POLL_SECONDS": "0.05"]
            try await ServeProcess.with(
                dataDirectory: self.directory, arguments: ["--no-worker", "--url-allowlist", "127.0.0.1"], environment: environment
            ) { server in
                let body = #"{"text":"x","callback_url":"http://127.0.0.1:\#(port)/hook","params":{"duration":15,"steps":20}}"#
                let id = try await server.submit(body)
                let (status, _) = try await server.request("POST", "/api/v1/video/task/\(id)/cancel")
                #expect(status == 200)
                try await eventually { receiver.count >= 3 }
                let signer = try await server.webhookSigner()
                let requests = receiver.requests
                #expect(requests.count == 3)
                #expect(Set(requests.map(\.id)) == ["msg_\(id)_cancelled"])
                for request in requests {
                    #expect(signer.verify(id: request.id, timestamp: Int64(request.timestamp) ?? 0, body: request.body, header: request.signature))
                }
            }
            try await ServeProcess.with(dataDirectory: self.directory, arguments: ["--no-worker"]) { server in
                for host in ["127.0.0.1", "10.1.2.3", "169.254.169.254"] {
                    let body = #"{"text":"x","callback_url":"http://\#(host):\#(port)/hook","params":{"duration":15,"steps":20}}"#
                    let (status, json) = try await server.request("POST", "/api/v1/video/generate", body: body)
                    #expect(status == 400, "\(host)")
                    let errors = (json["data"] as? [String: Any])?["errors"] as? [[String: String]]
                    #expect(errors?.first?["field"] == "callback_url", "\(host)")
                }
            }
        }
    }

    @Test("Every /api/v1 route refuses unsigned calls; the admin key file is 0600 and made once; a key revoked with the CLI is refused within a second")
    func authentication() async throws {
        let routes = [
            ("POST", "/api/v1/video/generate"), ("GET", "/api/v1/video/task/vid20260101000000000AAAAAAAAAAAAAAAA"),
            ("POST", "/api/v1/video/task/vid20260101000000000AAAAAAAAAAAAAAAA/cancel"), ("GET", "/api/v1/video/tasks"),
            ("GET", "/api/v1/video/task/vid20260101000000000AAAAAAAAAAAAAAAA/events"),
            ("GET", "/api/v1/video/task/vid20260101000000000AAAAAAAAAAAAAAAA/content"), ("GET", "/api/v1/webhooks/secret"),
        ]
        let firstKey = try await ServeProcess.with(dataDirectory: directory, arguments: ["--no-worker"]) { server in
            for (method, path) in routes {
                let (status, json) = try await server.request(method, path, body: method == "POST" ? "{}" : nil, signed: false)
                #expect(status == 401, "\(method) \(path)")
                #expect(json["code"] as? String == "unauthorized")
            }
            let (status, _) = try await server.request("GET", "/api/v1/video/tasks")
            #expect(status == 200, "signed with the admin key")
            let attributes = try FileManager.default.attributesOfItem(atPath: server.keyFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            return try ClientCredentials.load(server.keyFile)
        }
        try await ServeProcess.with(dataDirectory: directory, arguments: ["--no-worker"]) { server in
            #expect(try ClientCredentials.load(server.keyFile) == firstKey, "a restart keeps the key")
            let bobFile = self.directory.appendingPathComponent("bob.json").path
            let created = try await CLI.run(["keys", "create", "--user", "bob", "--tier", "free", "--output", bobFile, "--data-dir", self.directory.path])
            #expect(created.status == .exited(0), "\(created.stderr)")
            let bob = try ClientCredentials.load(bobFile)
            let list = try await CLI.run(["keys", "list", "--user", "bob", "--data-dir", self.directory.path])
            #expect(list.stdout.contains(bob.keyID) && !list.stdout.contains(bob.secret))
            let asBob = try await CLI.run(["status", "vid20260101000000000AAAAAAAAAAAAAAAA", "--server", server.base, "--key-file", bobFile])
            #expect(asBob.stderr.contains("404"), "bob is authenticated: \(asBob.stderr)")
            let revoked = try await CLI.run(["keys", "revoke", bob.keyID, "--data-dir", self.directory.path])
            #expect(revoked.status == .exited(0))
            // The server trusts a key it read for up to 1 s (README: revocation takes effect within 1 s).
            try await Task.sleep(for: .milliseconds(1100))
            let refused = try await CLI.run(["status", "vid20260101000000000AAAAAAAAAAAAAAAA", "--server", server.base, "--key-file", bobFile])
            #expect(refused.status == .exited(1) && refused.stderr.contains("401: API key revoked"), "\(refused.stderr)")
        }
    }

    @Test("SIGTERM: the server stops within the grace period, exits 0, and the running task goes back to the queue unharmed")
    func gracefulShutdown() async throws {
        let long = Self.body.replacingOccurrences(of: "\"steps\":20", with: "\"steps\":100")
        let (taskID, termination) = try await ServeProcess.withTermination(
            dataDirectory: directory, environment: ["VIDEOGENX_WORKER_SHUTDOWN_GRACE_SECONDS": "1"]
        ) { server in
            let id = try await server.submit(long)
            _ = try await server.waitFor(id) { ($0["status"] as? String) == "processing" && (($0["progress"] as? Int) ?? 0) > 0 }
            return id
        }
        #expect(termination == .exited(0))
        try await ServeProcess.with(dataDirectory: directory, arguments: ["--no-worker"]) { server in
            let (_, json) = try await server.request("GET", "/api/v1/video/task/\(taskID)")
            let task = try #require(json["data"] as? [String: Any])
            #expect(task["status"] as? String == "pending", "\(task)")
            #expect(task["attempts"] as? Int == 0, "a release charges no attempt: \(task)")
        }
    }

    @Test("Cancelling a running task stops it and frees the worker for the next one")
    func cancelRunning() async throws {
        try await ServeProcess.with(dataDirectory: directory) { server in
            let first = try await server.submit(Self.body.replacingOccurrences(of: "\"steps\":20", with: "\"steps\":100"))
            let second = try await server.submit(Self.body)
            _ = try await server.waitFor(first) { ($0["status"] as? String) == "processing" && (($0["progress"] as? Int) ?? 0) > 0 }
            let (status, _) = try await server.request("POST", "/api/v1/video/task/\(first)/cancel")
            #expect(status == 200)
            let cancelled = try await server.waitFor(first) { ($0["status"] as? String) != "processing" }
            #expect(cancelled["status"] as? String == "cancelled")
            let next = try await server.waitFor(second) { ["processing", "succeeded"].contains($0["status"] as? String) }
            #expect(next["status"] as? String != "pending")
        }
    }

    @Test("A server killed mid-task finishes the task after a restart")
    func survivesKill() async throws {
        let taskID = try await ServeProcess.with(dataDirectory: directory, leaseSeconds: 4) { server in
            let id = try await server.submit(Self.body)
            _ = try await server.waitFor(id) { ($0["status"] as? String) == "processing" }
            try server.kill()
            return id
        }
        try await ServeProcess.with(dataDirectory: directory, leaseSeconds: 4) { server in
            let task = try await server.waitFor(taskID) { ["succeeded", "failed"].contains($0["status"] as? String) }
            #expect(task["status"] as? String == "succeeded", "\(task)")
            // The killed attempt counts; a starved heartbeat on a loaded 2-core machine may add one.
            #expect((task["attempts"] as? Int ?? 0) >= 2, "the killed attempt counts: \(task)")
        }
    }

    @Test("keys create reads the server's own variables (VIDEOGENX_DATA_DIR, VIDEOGENX_SECURITY_SECRETS_KEY_FILE): a key made with only the server's environment, as in its pod, is accepted by that server")
    func keysFromServerEnvironment() async throws {
        let data = directory.appendingPathComponent("env-data")
        let environment = [
            "VIDEOGENX_DATA_DIR": data.path,
            "VIDEOGENX_SECURITY_SECRETS_KEY_FILE": directory.appendingPathComponent("sealing.key").path,
        ]
        let keyFile = directory.appendingPathComponent("env-key.json").path
        try await ServeProcess.with(dataDirectory: data, arguments: ["--no-worker"], environment: environment) { server in
            let created = try await CLI.run(["keys", "create", "--user", "eve", "--tier", "paid", "--output", keyFile], environment: environment)
            #expect(created.status == .exited(0), "\(created.stderr)")
            let (status, json) = try await server.request("GET", "/api/v1/video/tasks", keyFile: keyFile)
            #expect(status == 200, "the server opens the key sealed with its own secrets key: \(json)")
        }
        #expect(FileManager.default.fileExists(atPath: self.directory.appendingPathComponent("sealing.key").path))
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("secrets.key").path))
    }

    @Test("The CLI client: submit --wait downloads the video; bad input exits 2; an unknown task exits 1")
    func cliClient() async throws {
        let output = directory.appendingPathComponent("cli/clip.mp4").path
        try await ServeProcess.with(dataDirectory: directory.appendingPathComponent("data")) { server in
            let submit = try await CLI.run([
                "submit", "a tech city at night", "--resolution", "720P", "--fps", "24", "--duration", "15", "--steps", "20",
                "--server", server.base, "--key-file", server.keyFile, "--wait", "-q", "-o", output,
            ])
            #expect(submit.status == .exited(0), "\(submit.stderr)")
            #expect(submit.stdout.contains("wrote \(output)"))
            let video = try #require(try await FFprobe().probe(output).video)
            #expect(video.codec == "hevc" && video.width == 1280)
            // Streamed through a `.part` file that is renamed when complete.
            #expect(!FileManager.default.fileExists(atPath: output + ".part"))

            // A download the server refuses throws its status and leaves no file behind.
            let missing = self.directory.appendingPathComponent("cli/missing.mp4")
            await #expect(throws: APIClient.DownloadFailed(status: 403)) {
                _ = try await APIClient.download(URL(string: "\(server.base)/api/v1/objects/videos/nope.mp4?expires=1&signature=x")!, to: missing)
            }
            #expect(!FileManager.default.fileExists(atPath: missing.path) && !FileManager.default.fileExists(atPath: missing.path + ".part"))

            let bad = try await CLI.run(["submit", "x", "--fps", "25", "--server", server.base, "--key-file", server.keyFile])
            #expect(bad.status == .exited(2))
            #expect(bad.stderr.contains("params.fps: must be 24 or 30, got 25"))

            let unknown = try await CLI.run(["status", "vid20260101000000000AAAAAAAAAAAAAAAA", "--server", server.base, "--key-file", server.keyFile])
            #expect(unknown.status == .exited(1))

            // The admin key sees the worker's one default device.
            let devices = try await CLI.run(["devices", "--server", server.base, "--key-file", server.keyFile])
            #expect(devices.status == .exited(0), "\(devices.stderr)")
            #expect(devices.stdout.contains("cpu          cpu        online") && devices.stdout.contains("queued tasks: 0"), "\(devices.stdout)")
        }
    }
}

/// Runs the `videogenx` binary and collects its output.
enum CLI {
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: TerminationStatus, stdout: String, stderr: String) {
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(rawValue: key)!] = value }
        let result = try await Subprocess.run(
            .path(FilePath(GenerateCommandTests.binary)), arguments: Arguments(arguments), environment: .inherit.updating(updates),
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
        )
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }
}
