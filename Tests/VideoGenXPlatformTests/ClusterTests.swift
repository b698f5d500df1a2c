import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Subprocess
import SystemPackage
import Testing
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The cluster roles for real (issue 13): `videogenx api` and `videogenx worker` processes on
/// one PostgreSQL (the throwaway cluster of `scripts/with-postgres.sh`; those cases need it), or
/// on one SQLite file; one shared data folder, loopback only. Clips are 1 s 720P with 2 steps (limits lowered for the test) to keep the
/// 2-core CI short.
@Suite("Cluster roles", .serialized, .timeLimit(.minutes(8)))
final class ClusterTests: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-cluster-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every process's environment: the database and short clips allowed.
    static func environment(_ url: String) -> [String: String] {
        [
            "VIDEOGENX_STORE_URL": url, "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1",
            "VIDEOGENX_WORKER_CAPACITY": "2",
        ]
    }

    static func body(seed: Int, duration: Int = 1, steps: Int = 2) -> String {
        #"{"text":"a lighthouse at dusk","params":{"resolution":"720P","fps":24,"duration":\#(duration),"steps":\#(steps),"seed":\#(seed)}}"#
    }

    /// Creates a key for `user` with the CLI (`keys create --store-url`) and returns its file.
    func key(for user: String, url: String) async throws -> String {
        let file = directory.appendingPathComponent("\(user).json").path
        let result = try await CLI.run([
            "keys", "create", "--user", user, "--tier", "paid", "--data-dir", directory.path, "--store-url", url, "--output", file,
        ])
        #expect(result.status == .exited(0), "\(result.stderr)")
        return file
    }

    @Test("2 api + 2 workers: 24 tasks of 3 users over both api nodes each succeed once (no retry, one video each); Prefer: wait and SSE-style polling on api A see worker renders; a cancel on api B stops a render on a worker; a nonce replayed on the other node is refused", .enabled(if: PostgresTestServer.enabled))
    func twoAPIsTwoWorkers() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let environment = Self.environment(database.url)
        let directory = self.directory
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiA in
            let keys = [
                try await self.key(for: "ana", url: database.url), try await self.key(for: "ben", url: database.url),
                try await self.key(for: "cho", url: database.url),
            ]
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiB in
                try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { worker1 in
                    let (status, health) = try await worker1.request("GET", "/readyz")
                    #expect(status == 200, "\(health)")
                    try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                        // 24 tasks, 3 users, alternating api nodes.
                        var submitted: [(id: String, key: String)] = []
                        for n in 0..<24 {
                            let key = keys[n % 3]
                            let node = n % 2 == 0 ? apiA : apiB
                            submitted.append((try await node.submit(Self.body(seed: n), keyFile: key), key))
                        }
                        for (n, task) in submitted.enumerated() {
                            let node = n % 2 == 0 ? apiB : apiA
                            let data = try await node.waitFor(task.id, keyFile: task.key) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                            #expect(data["status"] as? String == "succeeded", "\(data)")
                            // The view counts the attempt that ran: 1 means no retry.
                            #expect(data["attempts"] as? Int == 1, "\(data)")
                            let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("objects/objects/videos/\(task.id)").path)
                            #expect(files.sorted() == ["thumbnail.webp", "video.mp4"], "\(files)")
                        }
                        // One signed request: accepted by api A, its replay refused by api B.
                        let path = "/api/v1/video/task/\(submitted[0].id)"
                        let credentials = try ClientCredentials.load(keys[0])
                        let signed = RequestSignature.headers(
                            keyID: credentials.keyID, secret: credentials.secret, method: "GET", pathAndQuery: path, body: Data()
                        )
                        #expect(try await Self.send(signed, to: apiA.base + path) == 200)
                        #expect(try await Self.send(signed, to: apiB.base + path) == 401)
                        // Another user's task is hidden on both nodes.
                        let (hidden, _) = try await apiB.request("GET", "/api/v1/video/task/\(submitted[0].id)", keyFile: keys[1])
                        #expect(hidden == 404)

                        // Prefer: wait on api A returns the finished task a worker rendered.
                        let (waited, finished) = try await apiA.request(
                            "POST", "/api/v1/video/generate", body: Self.body(seed: 100), keyFile: keys[0], headers: ["Prefer": "wait=60"]
                        )
                        #expect(waited == 200, "\(finished)")
                        #expect((finished["data"] as? [String: Any])?["status"] as? String == "succeeded")

                        // A long render cancelled on api B stops on its worker, which then takes new work.
                        let long = try await apiA.submit(Self.body(seed: 7, duration: 30, steps: 100), keyFile: keys[2])
                        _ = try await apiA.waitFor(long, keyFile: keys[2]) { ($0["progress"] as? Int ?? 0) > 0 }
                        let started = ContinuousClock.now
                        let (cancelStatus, cancelBody) = try await apiB.request("POST", "/api/v1/video/task/\(long)/cancel", keyFile: keys[2])
                        #expect(cancelStatus == 200, "\(cancelBody)")
                        let cancelled = try await apiA.waitFor(long, keyFile: keys[2]) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                        #expect(cancelled["status"] as? String == "cancelled", "\(cancelled)")
                        // Far less than the render would take: it stopped at a step, not at the end.
                        #expect(ContinuousClock.now - started < .seconds(20))
                        let after = try await apiB.submit(Self.body(seed: 8), keyFile: keys[2])
                        let done = try await apiA.waitFor(after, keyFile: keys[2]) { ["succeeded", "failed"].contains($0["status"] as? String) }
                        #expect(done["status"] as? String == "succeeded")
                    }
                }
            }
        }
    }

    /// Sends a GET with exactly `headers` (a replay sends the same nonce); returns the status.
    static func send(_ headers: [(String, String)], to url: String) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    @Test("kill -9 of a worker mid-render: the task finishes on the other worker after the lease, once (one attempt charged)", .enabled(if: PostgresTestServer.enabled))
    func workerKilled() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let environment = Self.environment(database.url)
        let directory = self.directory
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { api in
            let id = try await ServeProcess.with("worker", dataDirectory: directory, leaseSeconds: 3, environment: environment) { doomed in
                let id = try await api.submit(Self.body(seed: 9, duration: 20, steps: 50))
                _ = try await api.waitFor(id) { ($0["progress"] as? Int ?? 0) > 0 }
                try doomed.kill()
                return id
            }
            try await ServeProcess.with("worker", dataDirectory: directory, leaseSeconds: 3, environment: environment) { _ in
                let data = try await api.waitFor(id) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                #expect(data["status"] as? String == "succeeded", "\(data)")
                // The lost lease charged one attempt; the second ran to the end.
                #expect(data["attempts"] as? Int == 2, "\(data)")
            }
        }
    }

    @Test("PostgreSQL stopped and started again mid-run: meanwhile the API answers 503 with Retry-After (never 500) and no process dies; afterwards every accepted task succeeds", .enabled(if: PostgresTestServer.enabled))
    func databaseRestart() async throws {
        // A cluster of its own: the run's shared one must stay up for the other suites.
        let cluster = try await PrivatePostgresCluster()
        let environment = Self.environment(cluster.url)
        let directory = self.directory
        do {
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { api in
                try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { worker in
                    var ids: [String] = []
                    for n in 0..<6 {
                        ids.append(try await api.submit(Self.body(seed: n, duration: 2, steps: 10)))
                    }
                    try await cluster.stop()
                    let (read, readBody) = try await api.request("GET", "/api/v1/video/task/\(ids[0])")
                    #expect(read == 503, "\(readBody)")
                    #expect(readBody["code"] as? String == "store_unavailable", "\(readBody)")
                    let (submit, submitBody) = try await api.request("POST", "/api/v1/video/generate", body: Self.body(seed: 60))
                    #expect(submit == 503, "\(submitBody)")
                    try await cluster.start()
                    for id in ids {
                        let data = try await api.waitFor(id) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                        #expect(data["status"] as? String == "succeeded", "\(data)")
                    }
                    let (health, _) = try await worker.request("GET", "/healthz")
                    #expect(health == 200)
                    let after = try await api.submit(Self.body(seed: 61))
                    let done = try await api.waitFor(after) { ["succeeded", "failed"].contains($0["status"] as? String) }
                    #expect(done["status"] as? String == "succeeded", "\(done)")
                }
            }
        } catch {
            await cluster.destroy()
            throw error
        }
        await cluster.destroy()
    }

    @Test("A P0 submitted on api B preempts a P3 rendering on a worker (started through api A) at a sampler step; the P3 resumes from its checkpoint with the bytes of an uninterrupted render", .enabled(if: PostgresTestServer.enabled))
    func preemptionAcrossProcesses() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        // One place per device: the P0 must take the P3's place, not join its batch.
        let environment = Self.environment(database.url).merging(["VIDEOGENX_WORKER_CAPACITY": "1"]) { $1 }
        let directory = self.directory
        let slow = #"{"text":"a slow river","priority":3,"params":{"resolution":"720P","fps":24,"duration":3,"steps":40,"seed":3}}"#
        let urgent = #"{"text":"a fast car","priority":0,"params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":4}}"#
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiA in
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiB in
                try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                    let low = try await apiA.submit(slow)
                    _ = try await apiA.waitFor(low) { $0["status"] as? String == "processing" && ($0["progress"] as? Int ?? 0) > 5 }
                    let high = try await apiB.submit(urgent)
                    let urgentDone = try await apiB.waitFor(high) { ["succeeded", "failed"].contains($0["status"] as? String) }
                    #expect(urgentDone["status"] as? String == "succeeded", "\(urgentDone)")
                    let (_, lowThen) = try await apiA.request("GET", "/api/v1/video/task/\(low)")
                    #expect((lowThen["data"] as? [String: Any])?["status"] as? String != "succeeded", "the P0 finished while the P3 was paused")
                    let lowDone = try await apiA.waitFor(low) { ["succeeded", "failed"].contains($0["status"] as? String) }
                    #expect(lowDone["status"] as? String == "succeeded" && lowDone["attempts"] as? Int == 1, "\(lowDone)")
                    // The same request alone, uninterrupted: the same bytes.
                    let alone = try await apiA.submit(slow)
                    _ = try await apiA.waitFor(alone) { ["succeeded", "failed"].contains($0["status"] as? String) }
                    let videos = directory.appendingPathComponent("objects/objects/videos")
                    let resumed = try Data(contentsOf: videos.appendingPathComponent("\(low)/video.mp4"))
                    let reference = try Data(contentsOf: videos.appendingPathComponent("\(alone)/video.mp4"))
                    #expect(resumed == reference)
                }
            }
        }
    }

    @Test("A cancel on api B stops a task rendering on a worker in the stages away from a sampler step: while it opens (its image still downloading), while it encodes (ffmpeg finishing the file) and while it uploads (its thumbnail still being made) — cancelled, no attempt charged, no video", .enabled(if: PostgresTestServer.enabled))
    func cancelAcrossProcessesAwayFromSteps() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let directory = self.directory
        // An ffmpeg first on the worker's PATH that lingers 4 s after encoding a video (raw frames
        // in: the encoding stage, held) and after making a thumbnail (webp out: the uploading
        // stage, held before the files go to the object store).
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let real = try #require(path.split(separator: ":").map { "\($0)/ffmpeg" }.first { FileManager.default.isExecutableFile(atPath: $0) })
        let tools = directory.appendingPathComponent("tools")
        try FileManager.default.createDirectory(at: tools, withIntermediateDirectories: true)
        let wrapper = tools.appendingPathComponent("ffmpeg")
        try "#!/bin/sh\n\"\(real)\" \"$@\"\nstatus=$?\ncase \"$*\" in *rawvideo*|*libwebp*) sleep 4;; esac\nexit $status\n"
            .write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let image = directory.appendingPathComponent("fox.png")
        let made = try await Subprocess.run(
            .path(FilePath(real)), arguments: ["-v", "error", "-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1", image.path],
            output: .discarded, error: .discarded
        )
        #expect(made.terminationStatus.isSuccess)
        let environment = Self.environment(database.url).merging([
            "VIDEOGENX_SECURITY_URL_ALLOWLIST": "127.0.0.1", "PATH": "\(tools.path):\(path)",
        ]) { $1 }
        let server = SlowFileServer(bytes: Array(try Data(contentsOf: image)), contentType: "image/png", delay: .seconds(5))
        try await server.run { imagePort in
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiA in
                try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { apiB in
                    try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                        let videos = directory.appendingPathComponent("objects/objects/videos")
                        func cancelled(_ id: String, in stage: String) async throws {
                            let seen = try await apiA.waitFor(id) { $0["stage"] as? String == stage }
                            #expect(seen["status"] as? String == "processing", "\(seen)")
                            let (status, body) = try await apiB.request("POST", "/api/v1/video/task/\(id)/cancel")
                            #expect(status == 200, "\(body)")
                            let done = try await apiA.waitFor(id) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                            #expect(done["status"] as? String == "cancelled" && done["attempts"] as? Int == 0, "\(stage): \(done)")
                            #expect(done["result"] == nil || done["result"] is NSNull, "\(stage): \(done)")
                            #expect(!FileManager.default.fileExists(atPath: videos.appendingPathComponent("\(id)/video.mp4").path), "\(stage): no video")
                        }
                        let opening = try await apiA.submit(
                            #"{"text":"a red fox","image":"http://127.0.0.1:\#(imagePort)/fox.png","params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":21}}"#
                        )
                        try await cancelled(opening, in: "claimed")
                        try await cancelled(try await apiA.submit(Self.body(seed: 22)), in: "encoding")
                        try await cancelled(try await apiA.submit(Self.body(seed: 23)), in: "uploading")
                    }
                }
            }
        }
    }

    @Test("A worker SIGSTOPped past its lease loses the task to the other worker; after SIGCONT its late writes are refused (stale lease): the task succeeds once, with the second attempt's result", .enabled(if: PostgresTestServer.enabled))
    func zombieWorkerIsFenced() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let environment = Self.environment(database.url)
        let directory = self.directory
        try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { api in
            try await ServeProcess.with("worker", dataDirectory: directory, leaseSeconds: 3, environment: environment) { zombie in
                let id = try await api.submit(Self.body(seed: 11, duration: 6, steps: 40))
                _ = try await api.waitFor(id) { ($0["progress"] as? Int ?? 0) > 0 }
                #expect(kill(zombie.processID, SIGSTOP) == 0)
                try await ServeProcess.with("worker", dataDirectory: directory, leaseSeconds: 3, environment: environment) { _ in
                    // Lease lost (reaped by the new worker's sweep), then taken and finished by it.
                    let result = try await api.waitFor(id) { ["succeeded", "failed", "cancelled"].contains($0["status"] as? String) }
                    #expect(kill(zombie.processID, SIGCONT) == 0)
                    // The zombie wakes up and tries to go on: it must change nothing.
                    try await Task.sleep(for: .seconds(4))
                    let (_, later) = try await api.request("GET", "/api/v1/video/task/\(id)")
                    let stolen = later["data"] as? [String: Any] ?? [:]
                    #expect(result["status"] as? String == "succeeded" && result["attempts"] as? Int == 2, "\(result)")
                    #expect(stolen["status"] as? String == "succeeded" && stolen["attempts"] as? Int == 2, "\(stolen)")
                    #expect(stolen["finished_at"] as? String == result["finished_at"] as? String, "the zombie rewrote the finished task")
                }
                let (health, _) = try await zombie.request("GET", "/healthz")
                #expect(health == 200, "the zombie survives its refused writes")
            }
        }
    }

    @Test("With 2 workers running dispatchers, each task's callback is delivered once (one webhook-id per task)", .enabled(if: PostgresTestServer.enabled))
    func callbacksDeliveredOnce() async throws {
        let database = try await PostgresTestServer.makeDatabase()
        let environment = Self.environment(database.url).merging(["VIDEOGENX_SECURITY_URL_ALLOWLIST": "127.0.0.1"]) { $1 }
        let directory = self.directory
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await ServeProcess.with("api", dataDirectory: directory, environment: environment) { api in
                try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                    try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                        var ids: [String] = []
                        for n in 0..<6 {
                            let body = Self.body(seed: n).replacingOccurrences(
                                of: "{\"text\"", with: "{\"callback_url\":\"http://127.0.0.1:\(port)/hook\",\"text\""
                            )
                            ids.append(try await api.submit(body))
                        }
                        for id in ids {
                            _ = try await api.waitFor(id) { $0["status"] as? String == "succeeded" }
                        }
                        // Both dispatchers poll every second: give them time to (wrongly) send twice.
                        let deadline = ContinuousClock.now + .seconds(20)
                        while receiver.count < ids.count, ContinuousClock.now < deadline {
                            try await Task.sleep(for: .milliseconds(100))
                        }
                        try await Task.sleep(for: .seconds(3))
                        let received = receiver.requests
                        #expect(received.count == ids.count, "\(received.map(\.id))")
                        #expect(Set(received.map(\.id)).count == ids.count)
                        let bodies = received.map { String(decoding: $0.body, as: UTF8.self) }
                        for id in ids {
                            #expect(bodies.filter { $0.contains(id) }.count == 1, "\(id)")
                        }
                    }
                }
            }
        }
    }

    @Test("On one SQLite file, an API-only serve and a separate worker process: a task submitted to one is rendered by the other, and a P0 preempts the worker's P3 (events polled from the change sequence)")
    func sqliteSecondProcess() async throws {
        let directory = self.directory
        let environment = [
            "VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1", "VIDEOGENX_WORKER_CAPACITY": "1",
        ]
        let slow = #"{"text":"a slow river","priority":3,"params":{"resolution":"720P","fps":24,"duration":3,"steps":40,"seed":3}}"#
        let urgent = #"{"text":"a fast car","priority":0,"params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":4}}"#
        try await ServeProcess.with(dataDirectory: directory, arguments: ["--no-worker"], environment: environment) { api in
            try await ServeProcess.with("worker", dataDirectory: directory, environment: environment) { _ in
                let low = try await api.submit(slow)
                _ = try await api.waitFor(low) { $0["status"] as? String == "processing" && ($0["progress"] as? Int ?? 0) > 5 }
                let high = try await api.submit(urgent)
                let urgentDone = try await api.waitFor(high) { ["succeeded", "failed"].contains($0["status"] as? String) }
                #expect(urgentDone["status"] as? String == "succeeded", "\(urgentDone)")
                let (_, lowThen) = try await api.request("GET", "/api/v1/video/task/\(low)")
                #expect((lowThen["data"] as? [String: Any])?["status"] as? String != "succeeded", "the P0 finished while the P3 was paused")
                let lowDone = try await api.waitFor(low) { ["succeeded", "failed"].contains($0["status"] as? String) }
                #expect(lowDone["status"] as? String == "succeeded", "\(lowDone)")
            }
        }
    }
}
