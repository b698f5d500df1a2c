import Foundation
import Logging
import Synchronization
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// Finished videos whose upload failed, kept on local disk until the object store takes them
/// (DESIGN §8: nothing lost when storage is down). A render hands its files over with
/// ``keep(_:result:files:)`` and frees its slot; ``run()`` renews the spooled tasks' leases
/// (they stay `processing`, stage `uploading`), retries the uploads with backoff and completes
/// each task once its files are stored. A process started on the same folder resumes the
/// entries no live process holds. When the spool holds ``maxBytes`` or more the worker claims
/// nothing new (``isFull``) and `/readyz` says why (``problem``).
public final class UploadSpool: Sendable {
    /// The spool's folder (`objects.spool_dir`).
    public let directory: URL
    /// Bytes at which the worker stops claiming (`objects.spool_max_mb`).
    public let maxBytes: Int
    let store: any TaskStore
    let objects: any ObjectStore
    let leaseSeconds: Double
    let heartbeatSeconds: Double
    /// The first wait before a retry (doubling per failure up to ``longestRetry``).
    let firstRetry: Duration
    let longestRetry: Duration
    let clock: MonotonicClock
    let logger: Logger

    private struct Pending: Sendable {
        var entry: SpoolEntry
        var nextTry: MonotonicClock.Instant
        var delay: Duration
        var stageWritten = false
    }

    private let pending = Mutex<[TaskID: Pending]>([:])
    private let doorbell: Doorbell

    /// A spool in `directory` (made 0700 if missing), taking over the entries there that no live
    /// process holds.
    /// - Throws: when the folder cannot be made or read.
    public init(
        directory: URL, maxBytes: Int, store: any TaskStore, objects: any ObjectStore, leaseSeconds: Double, heartbeatSeconds: Double,
        firstRetry: Duration = .seconds(1), longestRetry: Duration = .seconds(60), clock: MonotonicClock = .continuous, logger: Logger
    ) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.store = store
        self.objects = objects
        self.leaseSeconds = leaseSeconds
        self.heartbeatSeconds = heartbeatSeconds
        self.firstRetry = firstRetry
        self.longestRetry = longestRetry
        self.clock = clock
        self.logger = logger
        doorbell = Doorbell(clock: clock)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        adopt()
    }

    /// Bytes the spooled files hold.
    public var usedBytes: Int { pending.withLock { $0.values.reduce(0) { $0 + $1.entry.bytes } } }
    /// The tasks waiting in the spool.
    public var tasks: [TaskID] { pending.withLock { Array($0.keys) } }
    /// Whether the spool is at its limit: the worker claims nothing new until it drains.
    public var isFull: Bool { usedBytes >= maxBytes }
    /// Why the worker is not ready because of the spool, or `nil`.
    public var problem: String? {
        let used = usedBytes
        guard used >= maxBytes else { return nil }
        return "upload spool full: \(used >> 20) MiB of \(maxBytes >> 20) MiB wait for the object store; no new tasks are claimed"
    }

    /// Takes `files` (local path, object key, content type) of `task`'s finished render: moves
    /// them into the spool with a durable record and schedules their upload; the task is
    /// completed with `result` once they are stored.
    /// - Throws: when the files cannot be moved or the record written (nothing is spooled then).
    public func keep(_ task: TaskRecord, result: TaskResult, files: [(source: URL, key: ObjectKey, contentType: String)]) throws {
        let record = SpoolEntry.Record(
            taskID: task.id.rawValue, token: task.fencingToken, result: result,
            files: files.map { .init(key: $0.key.rawValue, name: $0.source.lastPathComponent, contentType: $0.contentType) }
        )
        let entry = try SpoolEntry.create(in: directory, record: record, moving: Array(zip(files.map(\.source), record.files)))
        pending.withLock { $0[task.id] = Pending(entry: entry, nextTry: clock.now.advanced(by: firstRetry), delay: firstRetry) }
        logger.warning("upload failed: the video waits in the spool", metadata: [
            "task.id": "\(task.id)", "spool.bytes": "\(usedBytes)", "spool.max_bytes": "\(maxBytes)",
        ])
        doorbell.ring()
    }

    /// Renews the spooled tasks' leases every heartbeat and retries their uploads when due,
    /// until cancelled; looks for entries left by dead processes every minute. On return the
    /// entries stay on disk for the next start.
    public func run() async {
        var lastScan = clock.now
        var lastRenewal: MonotonicClock.Instant?
        while !Task.isCancelled {
            let now = clock.now
            if lastScan.duration(to: now) >= .seconds(60) {
                adopt()
                lastScan = now
            }
            // A newly kept task gets its `uploading` stage at once, not at the next heartbeat.
            let unstaged = pending.withLock { $0.values.contains { !$0.stageWritten } }
            if unstaged || lastRenewal.map({ $0.duration(to: now) >= .seconds(heartbeatSeconds) }) ?? true {
                await renewLeases()
                lastRenewal = now
            }
            let due = pending.withLock { pending in pending.filter { $0.value.nextTry <= now }.map(\.key) }
            for id in due where !Task.isCancelled {
                await attempt(id)
            }
            let nextTry = pending.withLock { $0.values.map(\.nextTry).min() }
            var wait = Duration.seconds(heartbeatSeconds)
            if let nextTry { wait = min(wait, max(.milliseconds(10), clock.now.duration(to: nextTry))) }
            await doorbell.wait(timeout: wait)
        }
        pending.withLock { pending in
            for item in pending.values { item.entry.release() }
            pending.removeAll()
        }
    }

    /// Adds the entries in the folder that no process holds (left by a stopped or crashed one).
    private func adopt() {
        let folders = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        let known = Set(tasks.map(\.rawValue))
        for folder in folders where !known.contains(folder.lastPathComponent) {
            guard let id = TaskID(rawValue: folder.lastPathComponent) else { continue }
            do {
                guard let entry = try SpoolEntry.load(folder) else { continue }
                pending.withLock { $0[id] = Pending(entry: entry, nextTry: clock.now, delay: firstRetry) }
                logger.info("resuming a spooled upload", metadata: ["task.id": "\(id)", "spool.bytes": "\(entry.bytes)"])
            } catch {
                logger.error("spool entry skipped", metadata: ["spool.folder": "\(folder.path)", "error": "\(error)"])
            }
        }
    }

    /// Keeps every spooled task's lease; drops those the store says are lost or cancelled.
    private func renewLeases() async {
        for (id, item) in pending.withLock({ $0 }) {
            let record = item.entry.record
            do {
                if !item.stageWritten {
                    _ = try await store.progress(id, token: record.token, percent: 95, stage: "uploading")
                    pending.withLock { $0[id]?.stageWritten = true }
                }
                if try await store.heartbeat(id, token: record.token, leaseSeconds: leaseSeconds) == .cancelRequested {
                    _ = try await store.confirmCancelled(id, token: record.token)
                    logger.info("spooled task cancelled at the user's request; its files are dropped", metadata: ["task.id": "\(id)"])
                    // Some may have gone up before storage failed (the video, not its thumbnail).
                    await deleteUploads(of: record)
                    drop(id)
                }
            } catch where Self.leaseGone(error) {
                logger.warning("a spooled task's lease is lost (it runs again elsewhere); its files are dropped", metadata: [
                    "task.id": "\(id)", "error": "\(error)",
                ])
                drop(id)
            } catch {
                logger.warning("renewing a spooled task's lease failed", metadata: ["task.id": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// Uploads a task's files and completes it; on failure schedules the next try.
    private func attempt(_ id: TaskID) async {
        guard let item = pending.withLock({ $0[id] }) else { return }
        let record = item.entry.record
        do {
            for file in record.files {
                _ = try await objects.put(try ObjectKey(file.key), fromFile: item.entry.url(of: file), contentType: file.contentType)
            }
        } catch {
            let delay = min(item.delay * 2, longestRetry)
            pending.withLock { $0[id]?.nextTry = clock.now.advanced(by: item.delay); $0[id]?.delay = delay }
            logger.warning("spooled upload failed; retrying", metadata: [
                "task.id": "\(id)", "error": "\(error)", "retry.after_seconds": "\(item.delay.components.seconds)",
            ])
            return
        }
        do {
            let completed = try await store.complete(id, token: record.token, result: record.result)
            logger.info("spooled upload stored; task completed", metadata: ["task.id": "\(id)", "task.status": "\(completed.status.rawValue)"])
            if completed.status == .cancelled {
                // Cancelled while its files went up: the store dropped the result, so they go too.
                await deleteUploads(of: record)
            }
            drop(id)
        } catch where Self.leaseGone(error) {
            logger.warning("a spooled task cannot be completed (its lease is lost); its files are dropped", metadata: [
                "task.id": "\(id)", "error": "\(error)",
            ])
            drop(id)
        } catch {
            pending.withLock { $0[id]?.nextTry = clock.now.advanced(by: item.delay) }
            logger.warning("completing a spooled task failed; retrying", metadata: ["task.id": "\(id)", "error": "\(error)"])
        }
    }

    /// Deletes from the object store the files of a task this spool held until it ended
    /// cancelled (its lease was the spool's: nobody else wrote them). Best effort: a file storage
    /// does not delete now stays.
    private func deleteUploads(of record: SpoolEntry.Record) async {
        for file in record.files {
            guard let key = try? ObjectKey(file.key) else { continue }
            try? await objects.delete(key)
        }
    }

    /// Whether `error` says the task is no longer this spool's to finish (lease lost, task gone
    /// or no longer processing).
    private static func leaseGone(_ error: any Error) -> Bool {
        guard let error = error as? StoreError else { return false }
        return [.staleLease, .notFound, .illegalTransition].contains(error.code)
    }

    /// Deletes a task's files, then forgets it: once ``tasks`` no longer lists a task, its
    /// folder is gone.
    private func drop(_ id: TaskID) {
        pending.withLock { $0[id] }?.entry.remove()
        pending.withLock { _ = $0.removeValue(forKey: id) }
    }
}
