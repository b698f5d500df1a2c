import Foundation
import Logging
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXScheduler
import VideoGenXStore
import VideoGenXStoreSQLite
import VideoGenXTestSupport

/// The worker with its upload spool while the object store refuses every write: nothing is
/// lost, the render slot is freed, and the spool completes the task once storage is back.
@Suite("Upload spool", .serialized, .timeLimit(.minutes(4)))
final class UploadSpoolTests: Sendable {
    let directory: URL
    let store: SQLiteTaskStore
    let objects: FileObjectStore
    let flaky: FlakyStore

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-spool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, durability: .normal)
        objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://localhost", signer: .random())
        flaky = FlakyStore(inner: objects)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The folder store, refusing every write while ``down`` is set (as an unreachable S3 would).
    final class FlakyStore: ObjectStore {
        let inner: FileObjectStore
        let down = Atomic<Bool>(false)
        /// Run before each upload from a file that storage accepts (the test's hook into an
        /// upload); what it throws fails that upload.
        let beforeUpload = Mutex<(@Sendable (ObjectKey) async throws -> Void)?>(nil)
        init(inner: FileObjectStore) { self.inner = inner }
        private func check() throws {
            if down.load(ordering: .relaxed) { throw ObjectStoreError(.storage, "connection refused (test)") }
        }
        func put(_ key: ObjectKey, fromFile source: URL, contentType: String) async throws -> ObjectInfo {
            try check()
            if let hook = beforeUpload.withLock({ $0 }) { try await hook(key) }
            return try await inner.put(key, fromFile: source, contentType: contentType)
        }
        func put<Chunks: AsyncSequence>(_ key: ObjectKey, chunks: Chunks, contentType: String) async throws -> ObjectInfo
        where Chunks.Element == [UInt8] {
            try check()
            return try await inner.put(key, chunks: chunks, contentType: contentType)
        }
        func head(_ key: ObjectKey) async throws -> ObjectInfo? { try await inner.head(key) }
        func get(_ key: ObjectKey, range: ByteRange?) async throws -> ObjectRead { try await inner.get(key, range: range) }
        func delete(_ key: ObjectKey) async throws { try await inner.delete(key) }
        func list(prefix: String) async throws -> [ObjectInfo] { try await inner.list(prefix: prefix) }
        func presignedGet(_ key: ObjectKey, expiresIn: Double) throws -> URL { try inner.presignedGet(key, expiresIn: expiresIn) }
        var servesDownloadsDirectly: Bool { false }
    }

    private var spoolFolder: URL { directory.appendingPathComponent("spool") }

    private func spool(maxBytes: Int = 1 << 30) throws -> UploadSpool {
        try UploadSpool(
            directory: spoolFolder, maxBytes: maxBytes, store: store, objects: flaky, leaseSeconds: 30, heartbeatSeconds: 0.5,
            firstRetry: .milliseconds(200), longestRetry: .seconds(1), logger: Logger(label: "test")
        )
    }

    private func worker(spool: UploadSpool) -> Worker {
        Worker(
            store: store, objects: flaky, spool: spool,
            renderer: VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast"))),
            configuration: WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 0.5, pollSeconds: 0.05, workDirectory: directory, capacity: 1),
            health: WorkerHealth(spool: spool), logger: Logger(label: "test")
        )
    }

    /// The task once `done` holds (polled every 50 ms, at most 3 minutes).
    private func finished(_ id: TaskID, _ done: (TaskRecord) -> Bool) async throws -> TaskRecord {
        for _ in 0..<3600 {
            if let task = try await store.get(id), done(task) { return task }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CancellationError()
    }

    private func enqueue(seed: UInt64) async throws -> TaskID {
        let spec = try GenerationRequest(
            text: "a red fox running through snow", params: .init(resolution: "720P", fps: 24, duration: 1, steps: 4, seed: seed, preset: "ultrafast")
        ).validated(limits: .oneShot)
        return try await store.create(NewTask(userID: "u", request: spec, callbackURL: "https://hooks.example/done")).task.id
    }

    private func spooledVideo(_ id: TaskID) throws -> Data {
        try Data(contentsOf: spoolFolder.appendingPathComponent("\(id)/video.mp4"))
    }

    @Test("Storage down at upload: the task stays processing at stage uploading with its video in the spool and its slot free (a second task renders meanwhile on a one-slot worker); once storage is back both succeed with the spooled bytes and one callback each")
    func spoolsAndDrains() async throws {
        flaky.down.store(true, ordering: .relaxed)
        let spool = try spool()
        let worker = worker(spool: spool)
        let first = try await enqueue(seed: 1)
        let second = try await enqueue(seed: 2)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        try await eventually(seconds: 120) { Set(spool.tasks) == [first, second] }
        for id in [first, second] {
            // The spool writes the stage just after taking the files.
            try await eventually(seconds: 10) { try await store.get(id)?.stage == "uploading" }
            let task = try #require(try await store.get(id))
            #expect(task.status == .processing && task.stage == "uploading", "\(task.status) \(String(describing: task.stage))")
        }
        let bytes = try [first: spooledVideo(first), second: spooledVideo(second)]
        #expect(worker.health.problem == nil, "the spool has room")
        flaky.down.store(false, ordering: .relaxed)
        for id in [first, second] {
            let done = try await finished(id) { $0.status.isTerminal }
            #expect(done.status == .succeeded, "\(String(describing: done.error))")
            let stored = try await objects.get(try ObjectKey(try #require(done.result?.videoKey)), range: nil).collect()
            #expect(Data(stored) == bytes[id], "the stored video is the spooled one")
            #expect(done.result?.sizeBytes == stored.count)
            #expect(try await objects.head(try ObjectKey("videos/\(id)/thumbnail.webp"))?.contentType == "image/webp")
            #expect(try await store.callbacks(of: id).map(\.event) == ["task.succeeded"])
        }
        try await eventually { spool.tasks.isEmpty }
        let left = try FileManager.default.contentsOfDirectory(atPath: spoolFolder.path)
        #expect(left.isEmpty, "\(left)")
    }

    @Test("A spooled task cancelled while the spool uploads its files ends cancelled, and the files it uploaded are deleted")
    func cancelDuringSpooledUpload() async throws {
        flaky.down.store(true, ordering: .relaxed)
        let id = try await enqueue(seed: 3)
        let spool = try spool()
        let worker = worker(spool: spool)
        let running = Task { try await worker.run() }
        try await eventually(seconds: 120) { spool.tasks == [id] }
        // Storage is back; the user cancels just as the spool starts uploading the video.
        let store = store
        flaky.beforeUpload.withLock {
            $0 = { key in
                if key.rawValue.hasSuffix("video.mp4") { _ = try? await store.cancel(id, userID: "u") }
            }
        }
        flaky.down.store(false, ordering: .relaxed)
        let done = try await finished(id) { $0.status.isTerminal }
        try await eventually { spool.tasks.isEmpty }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .cancelled && done.result == nil, "\(done.status)")
        #expect(try await objects.list(prefix: "videos/\(id)/").isEmpty, "the cancelled task's uploaded files are deleted")
    }

    @Test("A spooled task whose video went up but not its thumbnail, then cancelled, leaves no file in the object store")
    func cancelAfterPartialUpload() async throws {
        flaky.beforeUpload.withLock {
            $0 = { key in
                if key.rawValue.hasSuffix("thumbnail.webp") { throw ObjectStoreError(.storage, "thumbnails refused (test)") }
            }
        }
        let id = try await enqueue(seed: 4)
        let spool = try spool()
        let worker = worker(spool: spool)
        let running = Task { try await worker.run() }
        try await eventually(seconds: 120) { spool.tasks == [id] }
        #expect(try await objects.head(try ObjectKey("videos/\(id)/video.mp4")) != nil, "the video went up before the thumbnail failed")
        _ = try await store.cancel(id, userID: "u")
        let done = try await finished(id) { $0.status.isTerminal }
        try await eventually { spool.tasks.isEmpty }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .cancelled && done.result == nil, "\(done.status)")
        #expect(try await objects.list(prefix: "videos/\(id)/").isEmpty, "the video uploaded before the failure is deleted")
    }

    @Test("Without a spool, a task whose thumbnail upload keeps failing fails for good and leaves no orphan video: what went up before each failure is deleted")
    func noSpoolLeavesNoOrphan() async throws {
        final class Seen: Sendable { let video = Atomic<Bool>(false) }
        let seen = Seen()
        flaky.beforeUpload.withLock {
            $0 = { key in
                if key.rawValue.hasSuffix("video.mp4") { seen.video.store(true, ordering: .relaxed) }
                if key.rawValue.hasSuffix("thumbnail.webp") { throw ObjectStoreError(.storage, "thumbnails refused (test)") }
            }
        }
        let id = try await enqueue(seed: 5)
        let worker = Worker(
            store: store, objects: flaky,
            renderer: VideoRenderer(model: ProceduralModel(), encoder: FFmpegEncoder(settings: OutputSettings(preset: "ultrafast"))),
            configuration: WorkerConfiguration(leaseSeconds: 30, heartbeatSeconds: 0.5, pollSeconds: 0.05, workDirectory: directory, capacity: 1),
            logger: Logger(label: "test")
        )
        let running = Task { try await worker.run() }
        let done = try await finished(id) { $0.status.isTerminal }
        running.cancel()
        _ = try? await running.value
        #expect(done.status == .failed && done.attempt > 0, "\(done.status), attempt \(done.attempt)")
        let videoWentUp = seen.video.load(ordering: .relaxed)
        #expect(videoWentUp, "the video went up before the thumbnail failed")
        #expect(try await objects.list(prefix: "videos/\(id)/").isEmpty, "the video uploaded before the failure is deleted")
    }

    @Test("A full spool stops claiming and makes the worker not ready, naming the spool; a worker started again on the spool's folder resumes the upload (same lease) and completes the task, then claims again")
    func fullSpoolHoldsClaimsAndRestartResumes() async throws {
        flaky.down.store(true, ordering: .relaxed)
        let first = try await enqueue(seed: 1)
        let spool = try spool(maxBytes: 1)
        let worker = worker(spool: spool)
        let running = Task { try await worker.run() }
        try await eventually(seconds: 120) { spool.tasks == [first] }
        let problem = try #require(worker.health.problem)
        #expect(problem.contains("upload spool full") && problem.contains("no new tasks are claimed"), "\(problem)")
        let second = try await enqueue(seed: 2)
        try await Task.sleep(for: .seconds(2))
        #expect(try await store.get(second)?.status == .queued, "nothing is claimed while the spool is full")
        let spooled = try spooledVideo(first)
        running.cancel()
        _ = try? await running.value

        // The restarted worker: storage is back; the entry on disk is taken over.
        flaky.down.store(false, ordering: .relaxed)
        let again = try self.spool(maxBytes: 1)
        #expect(again.tasks == [first])
        let restartedWorker = self.worker(spool: again)
        let restarted = Task { try await restartedWorker.run() }
        defer { restarted.cancel() }
        let done = try await finished(first) { $0.status.isTerminal }
        #expect(done.status == .succeeded && done.attempt == 0, "\(done.status) attempt \(done.attempt)")
        #expect(Data(try await objects.get(try ObjectKey("videos/\(first)/video.mp4"), range: nil).collect()) == spooled)
        #expect(try await store.callbacks(of: first).map(\.event) == ["task.succeeded"])
        #expect(try await finished(second) { $0.status.isTerminal }.status == .succeeded, "claims resume once the spool drained")
    }
}
