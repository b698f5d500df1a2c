import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Subprocess
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport

/// The worker against a real SQLite store, folder object store, procedural model and ffmpeg.
@Suite("Worker", .serialized, .timeLimit(.minutes(4)))
final class WorkerTests: Sendable {
    let directory: URL
    let store: SQLiteTaskStore
    let objects: FileObjectStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-worker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: .random())
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    private func worker(
        encoder: FFmpegEncoder = FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")), capacity: Int = 1, grace: Double = 30
    ) -> Worker {
        Worker(
            store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel(), encoder: encoder),
            configuration: WorkerConfiguration(
                leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory, capacity: capacity, shutdownGraceSeconds: grace
            ),
            logger: Logger(label: "test")
        )
    }

    /// Runs `worker` in a service group, calls `body`, then shuts the group down gracefully and
    /// waits for it to end.
    private func withGracefulShutdown(_ worker: Worker, afterwards body: @Sendable () async throws -> Void) async throws {
        let group = ServiceGroup(services: [worker], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    private func enqueue(steps: Int, duration: Int = 1) async throws -> TaskID {
        let spec = try GenerationRequest(text: "a red fox running through snow", params: .init(resolution: "720P", fps: 24, duration: duration, steps: steps, seed: 1, preset: "ultrafast"))
            .validated(limits: .oneShot)
        return try await store.create(NewTask(userID: "u", request: spec)).task.id
    }

    /// Queues a short task whose reference image is `https://assets.example/fox.png` (the
    /// tests' fetchers answer it).
    private func enqueueWithImage(steps: Int = 4) async throws -> TaskID {
        try await store.create(NewTask(userID: "u", request: try GenerationRequest(
            text: "a red fox running through snow", image: "https://assets.example/fox.png",
            params: .init(resolution: "720P", fps: 24, duration: 1, steps: steps, seed: 2, preset: "ultrafast")
        ).validated(limits: .oneShot))).task.id
    }

    /// A 64×64 red PNG made with ffmpeg, for fetchers that deliver an image.
    private func referenceImage() async throws -> URL {
        let image = directory.appendingPathComponent("reference.png")
        let made = try await Subprocess.run(
            .name("ffmpeg"), arguments: ["-v", "error", "-f", "lavfi", "-i", "color=red:s=64x64", "-frames:v", "1", image.path],
            output: .discarded, error: .discarded
        )
        #expect(made.terminationStatus.isSuccess)
        return image
    }

    /// The procedural model's renderer with ffmpeg run through a shell wrapper in the test's
    /// folder (`script`: the lines after `#!/bin/sh`), to hold or mark a stage of the encode.
    private func renderer(ffmpegWrapper name: String, _ script: String) throws -> VideoRenderer {
        let wrapper = directory.appendingPathComponent(name)
        try ("#!/bin/sh\n" + script).write(to: wrapper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        return VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast"), executable: wrapper.path))
    }

    private func waitFor(_ id: TaskID, _ done: (TaskRecord) -> Bool) async throws -> TaskRecord {
        try await poll(store, id, done)
    }

    @Test("A claimed task is rendered, uploaded with its thumbnail and completed with ffprobe's figures")
    func completesTask() async throws {
        let id = try await enqueue(steps: 4)
        let running = Task { [worker = worker()] in try await worker.run() }
        let task = try await waitFor(id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(task.status == .succeeded, "\(String(describing: task.error))")
        let result = try #require(task.result)
        #expect(result.codec == "hevc" && result.width == 1280 && result.height == 720 && result.fps == 24)
        #expect(abs(result.durationSeconds - 1) < 0.05)
        #expect(try await objects.head(ObjectKey(result.videoKey))?.size == result.sizeBytes)
        #expect(try await objects.head(ObjectKey(try #require(result.thumbnailKey)))?.contentType == "image/webp")
        #expect(task.progress == 100)
    }

    @Test("Tasks of one batch key render as one continuous batch, each video byte-identical to its render alone; a task whose asset fails leaves the rest of the batch unharmed")
    func rendersABatch() async throws {
        func spec(seed: UInt64, image: String? = nil) throws -> GenerationSpec {
            try GenerationRequest(
                text: "a lighthouse in a storm", image: image,
                params: .init(resolution: "720P", fps: 24, duration: 1, steps: 4, seed: seed, preset: "ultrafast")
            ).validated(limits: .oneShot)
        }
        let specs = try (1...4).map { try spec(seed: UInt64($0)) }
        var ids: [TaskID] = []
        for spec in specs {
            ids.append(try await store.create(NewTask(userID: "u", request: spec)).task.id)
        }
        let broken = try await store.create(NewTask(
            userID: "u", request: try spec(seed: 9, image: "data:image/png;base64," + Data("not an image".utf8).base64EncodedString())
        )).task.id
        let worker = worker(capacity: 4)
        let running = Task { try await worker.run() }
        var done: [TaskRecord] = []
        for id in ids {
            done.append(try await waitFor(id) { $0.status.isTerminal })
        }
        let failed = try await waitFor(broken) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(failed.status == .failed && failed.error?.code == "asset_unreadable", "\(String(describing: failed.error))")
        let batchSteps = worker.counters.batchSteps.value
        let taskSteps = worker.counters.taskSteps.value
        #expect(taskSteps > batchSteps, "some steps ran several tasks (\(taskSteps) task steps in \(batchSteps) batch steps)")
        for (spec, task) in zip(specs, done) {
            #expect(task.status == .succeeded && task.attempt == 0, "\(String(describing: task.error))")
            let reference = directory.appendingPathComponent("alone-\(spec.seed).mp4")
            _ = try await VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast"))).render(spec, to: reference.path)
            let bytes = try await objects.get(try ObjectKey(try #require(task.result?.videoKey)), range: nil).collect()
            #expect(bytes == Array(try Data(contentsOf: reference)), "the batched video of seed \(spec.seed) differs from its render alone")
        }
    }

    /// Answers every URL after `seconds` with "404".
    struct SlowFetcher: AssetFetcher {
        let seconds: Double
        func fetch(_ url: String, to destination: URL, maxBytes: Int) async throws {
            try await Task.sleep(for: .seconds(seconds))
            throw AssetError(code: .httpStatus, field: "image", message: "answered 404")
        }
    }

    /// Answers every URL after `seconds` with a small PNG (made once with ffmpeg).
    struct DelayedImageFetcher: AssetFetcher {
        let seconds: Double
        let image: URL
        func fetch(_ url: String, to destination: URL, maxBytes: Int) async throws {
            try await Task.sleep(for: .seconds(seconds))
            try FileManager.default.copyItem(at: image, to: destination)
        }
    }

    @Test("A task cancelled while it is still opening (stage claimed: fetching its image) ends cancelled, not succeeded, with no video and no attempt charged — heartbeats far apart, so only the cancel event and the store stop it")
    func cancelWhileOpening() async throws {
        let image = try await referenceImage()
        let id = try await enqueueWithImage()
        var renderer = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")))
        renderer.fetcher = DelayedImageFetcher(seconds: 2, image: image)
        let worker = Worker(
            store: store, objects: objects, renderer: renderer,
            configuration: WorkerConfiguration(leaseSeconds: 90, heartbeatSeconds: 60, pollSeconds: 0.05, workDirectory: directory),
            logger: Logger(label: "test")
        )
        let running = Task { try await worker.run() }
        let opening = try await waitFor(id) { $0.status == .processing }
        #expect(opening.stage == "claimed")
        let asked = try await store.cancel(id, userID: "u")
        #expect(asked.status == .processing && asked.cancelRequested)
        let done = try await waitFor(id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .cancelled, "\(done.status)")
        #expect(done.result == nil && done.attempt == 0)
        #expect(try await objects.head(try ObjectKey("videos/\(id)/video.mp4")) == nil)
    }

    /// The folder store, with every video upload taking `seconds` first.
    struct SlowUploads: ObjectStore {
        let inner: FileObjectStore
        let seconds: Double
        /// How many video uploads have begun.
        let started = UploadCount()
        func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
            if key.rawValue.hasSuffix("video.mp4") {
                started.value.add(1, ordering: .relaxed)
                try await Task.sleep(for: .seconds(seconds))
            }
            return try await inner.put(key, fromFile: source, contentType: contentType)
        }
        func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
        where Chunks.Element == [UInt8] {
            try await inner.put(key, chunks: chunks, contentType: contentType)
        }
        func head(_ key: ObjectKey) async throws -> ObjectInfo? { try await inner.head(key) }
        func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead { try await inner.get(key, range: range) }
        func delete(_ key: ObjectKey) async throws { try await inner.delete(key) }
        func list(prefix: String) async throws -> [ObjectInfo] { try await inner.list(prefix: prefix) }
        func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL { try inner.presignedGet(key, expiresIn: expiresIn) }
        var servesDownloadsDirectly: Bool { inner.servesDownloadsDirectly }
    }

    /// A count shared by the copies of a ``SlowUploads``.
    final class UploadCount: Sendable {
        let value = Atomic<Int>(0)
    }

    @Test("A task cancelled while it encodes (its last step done, ffmpeg finishing the file) ends cancelled without uploading anything: no result, no video object, callback task.cancelled")
    func cancelWhileEncoding() async throws {
        // ffmpeg that takes 3 s more to finish once its input ends: the encoding stage, held.
        let renderer = try renderer(ffmpegWrapper: "slow-ffmpeg.sh", "ffmpeg \"$@\"\nstatus=$?\nsleep 3\nexit $status\n")
        let (id, done) = try await cancelled(in: "encoding", renderer: renderer, objects: objects)
        #expect(done.status == .cancelled, "\(done.status)")
        #expect(done.result == nil && done.attempt == 0)
        #expect(try await objects.head(try ObjectKey("videos/\(id)/video.mp4")) == nil, "nothing uploaded")
        #expect(try await store.callbacks(of: id).map(\.event) == ["task.cancelled"])
    }

    /// Runs a worker on a short task with a callback, cancels the task once it reaches `stage`,
    /// and returns its id and its final record.
    private func cancelled(
        in stage: String, renderer: VideoRenderer, objects: any ObjectStore, once ready: @escaping () -> Bool = { true }
    ) async throws -> (TaskID, TaskRecord) {
        let id = try await store.create(NewTask(userID: "u", request: try GenerationRequest(
            text: "a red fox running through snow", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 4, seed: 2, preset: "ultrafast")
        ).validated(limits: .oneShot), callbackURL: "https://hooks.example/done")).task.id
        let worker = Worker(
            store: store, objects: objects, renderer: renderer,
            configuration: WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 0.5, pollSeconds: 0.05, workDirectory: directory),
            logger: Logger(label: "test")
        )
        let running = Task { try await worker.run() }
        let reached = try await waitFor(id) { $0.stage == stage && ready() }
        #expect(reached.status == .processing)
        _ = try await store.cancel(id, userID: "u")
        let done = try await waitFor(id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        return (id, done)
    }

    @Test("A task cancelled while it uploads (its last step long past: no step boundary left to stop at) ends cancelled, with no result, no callback saying succeeded, and its uploaded files deleted")
    func cancelWhileUploading() async throws {
        let renderer = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")))
        let slow = SlowUploads(inner: objects, seconds: 3)
        // Cancelled once the video's upload has begun: the upload ends, the completion is
        // recorded as cancelled, and the worker removes what it uploaded.
        let (id, done) = try await cancelled(in: "uploading", renderer: renderer, objects: slow) { slow.started.value.load(ordering: .relaxed) > 0 }
        #expect(done.status == .cancelled, "\(done.status)")
        #expect(done.result == nil && done.attempt == 0)
        #expect(try await store.callbacks(of: id).map(\.event) == ["task.cancelled"])
        // The deletes follow the store's answer: give them the moment they take.
        try await eventually(seconds: 10) { [objects] in try await objects.list(prefix: "videos/\(id)/").isEmpty }
    }

    @Test("A task whose asset is slow to fetch does not hold its batch: the other task renders and finishes while it is still fetching")
    func slowAssetDoesNotHoldTheBatch() async throws {
        // The cap starts at 1; the short task's turnover grows it to 2 for the next batch.
        let short = try await enqueue(steps: 4)
        let slow = try await enqueueWithImage()
        let fast = try await enqueue(steps: 4)
        var renderer = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")))
        renderer.fetcher = SlowFetcher(seconds: 15)
        let worker = Worker(
            store: store, objects: objects, renderer: renderer,
            configuration: WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory, capacity: 2),
            logger: Logger(label: "test")
        )
        let running = Task { try await worker.run() }
        _ = try await waitFor(short) { $0.status == .succeeded }
        let fastDone = try await waitFor(fast) { $0.status.isTerminal }
        let slowThen = try #require(try await store.get(slow))
        let slowDone = try await waitFor(slow) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(fastDone.status == .succeeded)
        #expect(slowThen.status == .processing && slowThen.leaseOwner != nil, "the slow task was still fetching, in the batch: \(slowThen.status), \(String(describing: slowThen.error))")
        #expect(slowDone.status == .failed && slowDone.error?.code == "asset_http_status", "\(String(describing: slowDone.error))")
    }

    @Test("A batch waiting for its only member to open (a slow asset fetch, longer than the step watchdog) is not taken for a hung device: the task renders and the device stays in service")
    func slowOpeningIsNotAHang() async throws {
        let image = try await referenceImage()
        let id = try await enqueueWithImage(steps: 2)
        var renderer = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")))
        renderer.fetcher = DelayedImageFetcher(seconds: 8, image: image)
        var configuration = WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory)
        // Well under the fetch, well over a 720P step even on a loaded CI machine.
        configuration.stepWatchdogSeconds = 4
        let worker = Worker(store: store, objects: objects, renderer: renderer, configuration: configuration, logger: Logger(label: "test"))
        let running = Task { try await worker.run() }
        // A device taken for hung gives the task back and claims nothing more: wait on either.
        var task = try #require(try await store.get(id))
        let deadline = ContinuousClock.now + .seconds(120)
        while !task.status.isTerminal, worker.counters.deviceFaults.value == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            task = try #require(try await store.get(id))
        }
        let faults = worker.counters.deviceFaults.value
        running.cancel()
        _ = try? await running.value
        #expect(faults == 0, "the wait for the asset was taken for a hung device")
        #expect(task.status == .succeeded && task.attempt == 0, "\(task.status), \(String(describing: task.error))")
    }

    /// Holds every fetch for `seconds`, deaf to cancellation (a stuck call), then answers "404".
    struct StuckFetcher: AssetFetcher {
        let seconds: Double
        func fetch(_ url: String, to destination: URL, maxBytes: Int) async throws {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume() }
            }
            throw AssetError(code: .httpStatus, field: "image", message: "answered 404")
        }
    }

    /// What became of a task run by a worker until it ended.
    private struct Outcome {
        /// Its record once its first attempt had ended, and how long after the worker's start.
        var first: TaskRecord
        var firstAfter: Duration
        /// Its final record.
        var done: TaskRecord
        /// Devices the worker took for hung meanwhile.
        var deviceFaults: Int
    }

    /// Runs a worker with `renderer` and `configure`d settings until `id` ends.
    private func runUntilEnd(_ id: TaskID, renderer: VideoRenderer, configure: (inout WorkerConfiguration) -> Void) async throws -> Outcome {
        var configuration = WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory)
        configure(&configuration)
        let worker = Worker(store: store, objects: objects, renderer: renderer, configuration: configuration, logger: Logger(label: "test"))
        let start = ContinuousClock.now
        let running = Task { try await worker.run() }
        let first = try await waitFor(id) { $0.attempt >= 1 || $0.status.isTerminal }
        let firstAfter = ContinuousClock.now - start
        let done = try await waitFor(id) { $0.status.isTerminal }
        let faults = worker.counters.deviceFaults.value
        running.cancel()
        _ = try? await running.value
        return Outcome(first: first, firstAfter: firstAfter, done: done, deviceFaults: faults)
    }

    @Test("A task stuck opening (a fetch deaf to cancellation) fails its attempt with open_timeout once worker.open_timeout_seconds pass, without waiting for the stuck call; its retries end the same way and the device stays in service")
    func stuckOpeningTimesOut() async throws {
        let id = try await enqueueWithImage(steps: 2)
        var renderer = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast")))
        renderer.fetcher = StuckFetcher(seconds: 60)
        let outcome = try await runUntilEnd(id, renderer: renderer) { $0.openTimeoutSeconds = 2 }
        #expect(outcome.firstAfter < .seconds(30), "the first attempt ended after \(outcome.firstAfter), not at its 2 s open timeout: the batch waited for the stuck fetch")
        #expect(outcome.first.error?.code == "open_timeout", "\(String(describing: outcome.first.error))")
        #expect(outcome.done.status == .failed && outcome.done.error?.code == "open_timeout", "\(outcome.done.status), \(String(describing: outcome.done.error))")
        #expect(outcome.done.error?.message.contains("within 2 s") == true, "\(String(describing: outcome.done.error))")
        #expect(outcome.deviceFaults == 0, "a stuck task is not a hung device")
    }

    @Test("A task stuck finishing (ffmpeg that lingers after its file is written) fails its attempt with finish_timeout once worker.finish_timeout_seconds pass after its last step; the device stays in service")
    func stuckFinishingTimesOut() async throws {
        // ffmpeg that stays 60 s after writing the file: the finishing stage, held. `exec`: the
        // process the abandoned attempt's cancellation kills is the sleep itself (no orphan).
        let renderer = try renderer(ffmpegWrapper: "lingering-ffmpeg.sh", "ffmpeg \"$@\"\nexec sleep 60\n")
        let id = try await enqueue(steps: 2)
        let outcome = try await runUntilEnd(id, renderer: renderer) { $0.finishTimeoutSeconds = 2 }
        #expect(outcome.firstAfter < .seconds(40), "the first attempt ended after \(outcome.firstAfter), not 2 s after its last step: the batch waited for the lingering ffmpeg")
        #expect(outcome.first.error?.code == "finish_timeout", "\(String(describing: outcome.first.error))")
        #expect(outcome.done.status == .failed && outcome.done.error?.code == "finish_timeout", "\(outcome.done.status), \(String(describing: outcome.done.error))")
        #expect(outcome.deviceFaults == 0, "a stuck task is not a hung device")
        #expect(try await objects.head(try ObjectKey("videos/\(id)/video.mp4")) == nil, "nothing uploaded")
    }

    @Test("A worker whose lease ran out while it finished (taken over by another worker meanwhile) uploads nothing: the new owner's keys are left alone and the task stays the new owner's")
    func lostLeaseUploadsNothing() async throws {
        // ffmpeg that stays 3 s after writing the file, marking the moment it wrote it.
        let encoded = directory.appendingPathComponent("encoded")
        let renderer = try renderer(ffmpegWrapper: "slow-exit-ffmpeg.sh", "ffmpeg \"$@\" || exit $?\ntouch '\(encoded.path)'\nsleep 3\n")
        let id = try await enqueue(steps: 2)
        // A 1 s lease never renewed, and no reaping of its own: the test takes the task over.
        let configuration = WorkerConfiguration(leaseSeconds: 1, heartbeatSeconds: 600, pollSeconds: 0.05, reapSeconds: 600, workDirectory: directory, capacity: 1)
        let worker = Worker(store: store, objects: objects, renderer: renderer, configuration: configuration, logger: Logger(label: "test"))
        let running = Task { try await worker.run() }
        try await eventually(seconds: 120) { FileManager.default.fileExists(atPath: encoded.path) }
        try await Task.sleep(for: .seconds(1.1))
        let reaped = try await store.reapExpiredLeases(now: Date())
        let taken = try await store.claim(worker: "other", capacity: 1, leaseSeconds: 600)
        #expect(reaped.map(\.id) == [id] && taken.map(\.id) == [id], "reaped \(reaped.map(\.id)), taken \(taken.map(\.id))")
        // The first worker's member ends (its work folder goes) once its ffmpeg has exited.
        let workFolders = { @Sendable [directory] in
            (try? FileManager.default.contentsOfDirectory(atPath: directory.path))?.filter { $0.hasPrefix("vgx-\(id)-") } ?? []
        }
        try await eventually(seconds: 60) { workFolders().isEmpty }
        running.cancel()
        _ = try? await running.value
        #expect(try await objects.head(try ObjectKey("videos/\(id)/video.mp4")) == nil, "the stale worker uploaded over the new owner's key")
        #expect(try await objects.head(try ObjectKey("videos/\(id)/thumbnail.webp")) == nil)
        let task = try #require(try await store.get(id))
        #expect(task.status == .processing && task.leaseOwner == "other" && task.fencingToken == taken.first?.fencingToken, "\(task.status) \(String(describing: task.leaseOwner))")
    }

    @Test("A device caught hanging by the step watchdog gives its task back uncharged; with no device left the worker reports itself not running")
    func hungDeviceStopsTheWorker() async throws {
        let id = try await enqueue(steps: 40, duration: 2)
        var configuration = WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory)
        // Shorter than any 720P batch step here: the first step counts as a hang.
        configuration.stepWatchdogSeconds = 0.001
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let worker = Worker(store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel()), configuration: configuration, logger: logger)
        let running = Task { try await worker.run() }
        // The device lost (counted), then the worker out of service: waiting on the count first
        // keeps a worker that has not started yet from reading as stopped.
        let deadline = ContinuousClock.now + .seconds(20)
        while worker.counters.deviceFaults.value == 0 || worker.health.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let stillRunning = worker.health.isRunning
        let back = try #require(try await store.get(id))
        running.cancel()
        _ = try? await running.value
        #expect(!stillRunning, "readiness must see that no device is in service")
        #expect(back.status == .queued && back.attempt == 0 && back.leaseOwner == nil, "\(back.status) attempt \(back.attempt)")
    }

    @Test("The lease sweep runs on the worker's clocks: a task held by a worker that died is taken back once the store's time passes its lease and the sweep's next pass comes round — neither waited out — and this worker renders it")
    func leaseSweepOnInjectedClocks() async throws {
        // The store's time starts a year ahead: a sweep judging leases by the system's time would
        // never see this lease run out, and one sleeping on the system's clock would not come
        // round again within the hour.
        let wall = ManualWallClock(start: Date().addingTimeInterval(365 * 86_400))
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("swept.sqlite").path, clock: wall, durability: .normal)
        let spec = try GenerationRequest(text: "a lost lease", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 4, seed: 5, preset: "ultrafast"))
            .validated(limits: .oneShot)
        let id = try await store.create(NewTask(userID: "u", request: spec)).task.id
        #expect(try await store.claim(worker: "dead/cpu0", capacity: 1, leaseSeconds: 30, filter: ClaimFilter()).map(\.id) == [id])
        let manual = ManualClock()
        let worker = Worker(
            store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast"))),
            configuration: WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, reapSeconds: 3600, workDirectory: directory),
            clock: MonotonicClock(manual), wallClock: wall, logger: Logger(label: "test")
        )
        let running = Task { try await worker.run() }
        // The sweep's first pass is done (the lease still good) and it sleeps for its hour.
        #expect(try await manual.sleeper(until: .init(offset: .seconds(3600))))
        #expect(try await store.get(id)?.leaseOwner == "dead/cpu0")
        wall.advance(by: 31)
        manual.advance(by: .seconds(3600))
        let done = try await poll(store, id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .succeeded && done.attempt == 1, "\(done.status) attempt \(done.attempt)")
        #expect(done.result?.videoKey != nil)
    }

    @Test("A render that outlasts its lease several times keeps it (heartbeats beside the progress writes) and succeeds on its first attempt")
    func keepsLease() async throws {
        // 8 s of video: ~5 s of rendering on an idle machine here (4 s of video took 2.7 s,
        // under the 2-lease bound below).
        let id = try await enqueue(steps: 40, duration: 8)
        let worker = Worker(
            store: store, objects: objects, renderer: VideoRenderer(model: ProceduralModel()),
            configuration: WorkerConfiguration(leaseSeconds: 1.5, heartbeatSeconds: 0.4, pollSeconds: 0.05, reapSeconds: 0.5, workDirectory: directory),
            logger: Logger(label: "test")
        )
        let started = ContinuousClock.now
        let running = Task { try await worker.run() }
        let task = try await waitFor(id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(ContinuousClock.now - started > .seconds(3), "the render outlasted the lease")
        #expect(task.status == .succeeded && task.attempt == 0, "\(task.status) attempt \(task.attempt)")
    }

    @Test("Stopping the worker mid-task releases the task to the queue without charging an attempt")
    func releasesOnShutdown() async throws {
        let id = try await enqueue(steps: 100, duration: 10)
        let running = Task { [worker = worker()] in try await worker.run() }
        _ = try await waitFor(id) { $0.status == .processing && $0.progress > 0 }
        running.cancel()
        _ = try? await running.value
        let task = try #require(try await store.get(id))
        #expect(task.status == .queued)
        #expect(task.attempt == 0)
    }

    @Test("A failing attempt is recorded with its reason and retried; the worker keeps serving")
    func recordsFailure() async throws {
        let id = try await enqueue(steps: 2)
        let running = Task { [worker = worker(encoder: FFmpegEncoder(executable: "/nonexistent/ffmpeg"))] in try await worker.run() }
        let task = try await waitFor(id) { $0.attempt >= 1 }
        #expect(task.error?.code == "media_tool_not_found")
        #expect(task.status == .queued || task.status == .processing)
        // Still serving: the retry after the 1 s backoff is claimed and fails again.
        let again = try await waitFor(id) { $0.attempt >= 2 }
        #expect(again.error?.code == "media_tool_not_found")
        running.cancel()
        _ = try? await running.value
    }

    @Test("After the plain retries fail, the fallback model runs the last attempt; failures name what was tried")
    func fallbackModel() async throws {
        // No plain retries: the first failure sends the task to the fallback at once.
        let store = try SQLiteTaskStore(
            path: directory.appendingPathComponent("fallback.sqlite").path, policy: QueuePolicy(retry: RetryPolicy(retries: 0)), durability: .normal
        )
        let spec = try GenerationRequest(text: "a fox", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 2, seed: 1, preset: "ultrafast"))
            .validated(limits: .oneShot)
        let configuration = WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 1, pollSeconds: 0.05, workDirectory: directory)
        let broken = VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(executable: "/nonexistent/ffmpeg"))

        let rescued = try await store.create(NewTask(userID: "u", request: spec)).task.id
        let worker = Worker(store: store, objects: objects, renderer: broken, fallbackRenderer: VideoRenderer(model: ProceduralModel()), configuration: configuration, logger: Logger(label: "test"))
        let running = Task { try await worker.run() }
        let done = try await poll(store, rescued) { $0.status == .succeeded || $0.status == .failed }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .succeeded && done.useFallback && done.attempt == 1, "\(String(describing: done.error))")

        let lost = try await store.create(NewTask(userID: "u", request: spec)).task.id
        let hopeless = Worker(store: store, objects: objects, renderer: broken, fallbackRenderer: broken, configuration: configuration, logger: Logger(label: "test"))
        let again = Task { try await hopeless.run() }
        let failed = try await poll(store, lost) { $0.status == .failed }
        again.cancel()
        _ = try? await again.value
        #expect(failed.error?.code == "media_tool_not_found")
        #expect(failed.error?.message.hasSuffix("(tried procedural ×1, then fallback procedural ×1)") == true, "\(String(describing: failed.error))")
    }

    /// The task once `done` holds, polling every 50 ms for up to 3 minutes (a liveness bound:
    /// CI runs every suite at once on two cores, and a render can wait long for a thread).
    private func poll(_ store: SQLiteTaskStore, _ id: TaskID, _ done: (TaskRecord) -> Bool) async throws -> TaskRecord {
        for _ in 0..<3600 {
            if let task = try await store.get(id), done(task) { return task }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    @Test("A full worker pauses its P3 task at a sampler step for a P0, which finishes first; the P3 resumes from its checkpoint, no attempt charged, with a byte-identical video")
    func preemption() async throws {
        let slow = try GenerationRequest(text: "a slow river", params: .init(resolution: "720P", fps: 24, duration: 3, steps: 40, seed: 3, preset: "ultrafast"))
            .validated(limits: .oneShot)
        let urgent = try GenerationRequest(text: "a fast car", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 2, seed: 4, preset: "ultrafast"))
            .validated(limits: .oneShot)
        let low = try await store.create(NewTask(userID: "u", request: slow, priority: .p3)).task.id
        let worker = worker()
        let running = Task { try await worker.run() }
        _ = try await waitFor(low) { $0.status == .processing && $0.progress > 5 }
        let high = try await store.create(NewTask(userID: "u", request: urgent, priority: .p0)).task.id
        let urgentDone = try await waitFor(high) { $0.status == .succeeded }
        let lowThen = try #require(try await store.get(low))
        #expect(lowThen.status != .succeeded, "the P0 finished while the P3 was paused")
        #expect(lowThen.checkpointRef == "checkpoints/\(low)/checkpoint.bin")
        let lowDone = try await waitFor(low) { $0.status == .succeeded }
        running.cancel()
        _ = try? await running.value
        #expect(lowDone.attempt == 0 && urgentDone.finishedAt! < lowDone.finishedAt!)
        #expect(try await objects.head(try ObjectKey("checkpoints/\(low)/checkpoint.bin")) == nil, "the checkpoint is deleted once done")

        // The resumed video is the video an uninterrupted render makes.
        let reference = directory.appendingPathComponent("reference.mp4")
        _ = try await VideoRenderer(model: ProceduralModel()).render(slow, to: reference.path)
        let bytes = try await objects.get(try ObjectKey(try #require(lowDone.result?.videoKey)), range: nil).collect()
        #expect(bytes == Array(try Data(contentsOf: reference)))
    }

    @Test("With capacity 2, once a turnover has grown the cap, two long tasks of one key render in one batch at once")
    func capacity() async throws {
        // The cap starts at 1; the short task's turnover grows it to 2 for the next batch.
        let short = try await enqueue(steps: 4)
        let first = try await enqueue(steps: 100, duration: 10)
        let second = try await enqueue(steps: 100, duration: 10)
        let worker = worker(capacity: 2)
        let running = Task { try await worker.run() }
        _ = try await waitFor(short) { $0.status == .succeeded }
        _ = try await waitFor(first) { $0.status == .processing && $0.progress > 0 }
        let other = try await waitFor(second) { $0.status == .processing && $0.progress > 0 }
        #expect(try await store.get(first)?.status == .processing, "both at once")
        #expect(other.leaseOwner != nil)
        running.cancel()
        _ = try? await running.value
        #expect(worker.counters.taskSteps.value > worker.counters.batchSteps.value, "steps ran both")
    }

    @Test("On graceful shutdown a running task that ends within the grace period completes; nothing new is claimed")
    func finishesWithinGrace() async throws {
        let id = try await enqueue(steps: 4)
        let waiting = try await enqueue(steps: 4)
        try await withGracefulShutdown(worker(grace: 60)) {
            _ = try await waitFor(id) { $0.status == .processing }
        }
        #expect(try await store.get(id)?.status == .succeeded)
        #expect(try await store.get(waiting)?.status == .queued)
    }

    @Test("On graceful shutdown a task still running after the grace period is stopped and released, no attempt charged")
    func releasesAfterGrace() async throws {
        let id = try await enqueue(steps: 100, duration: 10)
        let started = ContinuousClock.now
        try await withGracefulShutdown(worker(grace: 0.5)) {
            _ = try await waitFor(id) { $0.status == .processing && $0.progress > 0 }
        }
        let task = try #require(try await store.get(id))
        #expect(task.status == .queued && task.attempt == 0)
        #expect(ContinuousClock.now - started < .seconds(30), "stopped after the grace period, not at the end of the render")
    }
}
