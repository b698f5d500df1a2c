import Foundation
import Logging
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// One claimed task carried to its end: render with heartbeats and throttled progress, upload,
/// complete — or fail, retry, confirm a cancel, or release on shutdown.
struct TaskExecution {
    let task: TaskRecord
    let worker: Worker
    /// Raised by the worker to preempt this task at its next sampler step.
    let pause: PauseSignal

    private var store: any TaskStore { worker.store }
    /// The renderer of this attempt: the fallback's once the store has asked for it.
    private var renderer: VideoRenderer {
        task.useFallback ? worker.fallbackRenderer ?? worker.renderer : worker.renderer
    }
    private var logger: Logger {
        var logger = worker.logger
        logger[metadataKey: "task.id"] = "\(task.id)"
        logger[metadataKey: "user.id"] = "\(task.userID)"
        return logger
    }

    /// Why a render was stopped from the outside.
    private enum Stop: Error {
        case cancelRequested
        case leaseLost
    }

    func run() async {
        let token = task.fencingToken
        let path = worker.configuration.workDirectory.appendingPathComponent("vgx-\(task.id).mp4").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        logger.info("task started", metadata: ["task.attempt": "\(task.attempt)", "task.token": "\(token)"])
        do {
            let summary = try await renderWithLease(to: path)
            _ = try await store.progress(task.id, token: token, percent: 95, stage: "uploading")
            let result = try await upload(path: path, summary: summary)
            _ = try await store.complete(task.id, token: token, result: result)
            if let reference = task.checkpointRef, let key = try? ObjectKey(reference) {
                try? await objects.delete(key)
            }
            logger.info("task succeeded", metadata: ["task.seconds": "\(String(format: "%.1f", summary.totalSeconds))"])
        } catch let paused as RenderPaused {
            await releasePreempted(paused.checkpoint, token: token)
        } catch Stop.cancelRequested {
            _ = try? await store.confirmCancelled(task.id, token: token)
            logger.info("task cancelled at the user's request")
        } catch Stop.leaseLost {
            logger.warning("lease lost; another worker owns the task now")
        } catch is CancellationError {
            // The worker is shutting down: give the task back without charging an attempt. The
            // write runs in a task of its own because this one is cancelled, and GRDB interrupts
            // statements of cancelled tasks.
            let store = self.store
            let id = task.id
            let released = await Task { try? await store.release(id, token: token, checkpoint: nil) }.value
            logger.info("task released on shutdown", metadata: ["task.released": "\(released != nil)"])
        } catch let error as StoreError where error.code == .staleLease {
            logger.warning("lease lost", metadata: ["error": "\(error)"])
        } catch {
            var (failure, retryable) = Self.classify(error)
            failure.message += " (\(tried))"
            let updated = try? await store.fail(task.id, token: token, error: failure, retryable: retryable)
            logger.error("task attempt failed", metadata: [
                "error": "\(error)", "task.status": "\(updated?.status.rawValue ?? "?")", "error.retryable": "\(retryable)",
            ])
        }
    }

    /// Renders the video while heartbeating the lease and writing progress; stops at the next
    /// sampler step when the task is cancelled or the lease is lost.
    private func renderWithLease(to path: String) async throws -> RenderSummary {
        let (progressStream, progressSink) = AsyncStream.makeStream(of: (Int, String).self, bufferingPolicy: .bufferingNewest(1))
        return try await withThrowingTaskGroup(of: RenderSummary?.self) { group in
            group.addTask { try await heartbeat() }
            group.addTask { try await writeProgress(progressStream) }
            group.addTask {
                defer { progressSink.finish() }
                let summary = try await renderer.render(task.request, to: path, resumingFrom: await checkpoint(), pause: pause) { report in
                    // Windows interleave sampling and encoding: the stage is what runs right now.
                    let stage = report.step < report.steps ? "sampling" : "encoding"
                    progressSink.yield((min(94, Int(report.fraction * 94)), stage))
                }
                return summary
            }
            while let next = try await group.next() {
                if let summary = next {
                    group.cancelAll()
                    return summary
                }
            }
            throw CancellationError()
        }
    }

    private func heartbeat() async throws -> RenderSummary? {
        while true {
            try await Task.sleep(for: .seconds(worker.configuration.heartbeatSeconds))
            try await check { try await store.heartbeat(task.id, token: task.fencingToken, leaseSeconds: worker.configuration.leaseSeconds) }
        }
    }

    private func writeProgress(_ updates: AsyncStream<(Int, String)>) async throws -> RenderSummary? {
        let clock = ContinuousClock()
        var last = clock.now - .seconds(60)
        for await (percent, stage) in updates {
            let wait = Duration.seconds(worker.configuration.progressIntervalSeconds) - (clock.now - last)
            if wait > .zero {
                try await Task.sleep(for: wait)
            }
            try await check { try await store.progress(task.id, token: task.fencingToken, percent: percent, stage: stage) }
            last = clock.now
        }
        // The render finished and closed the stream; the group waits for its summary.
        return nil
    }

    private func check(_ call: () async throws -> LeaseStatus) async throws {
        do {
            if try await call() == .cancelRequested {
                throw Stop.cancelRequested
            }
        } catch let error as StoreError where error.code == .staleLease {
            throw Stop.leaseLost
        }
    }

    /// Puts the video in the object store and describes it from ffprobe's reading.
    private func upload(path: String, summary: RenderSummary) async throws -> TaskResult {
        let probe = try await FFprobe().probe(path)
        guard let video = probe.video, let width = video.width, let height = video.height else {
            throw MediaError(code: .probeUnreadable, message: "the encoded file has no video stream")
        }
        let key = try ObjectKey("videos/\(task.id)/video.mp4")
        let info = try await objects.put(key, fromFile: URL(fileURLWithPath: path), contentType: "video/mp4")
        let thumbnailPath = path + ".webp"
        defer { try? FileManager.default.removeItem(atPath: thumbnailPath) }
        try await Thumbnailer().thumbnail(of: path, duration: probe.duration, to: thumbnailPath)
        let thumbnailKey = try ObjectKey("videos/\(task.id)/thumbnail.webp")
        _ = try await objects.put(thumbnailKey, fromFile: URL(fileURLWithPath: thumbnailPath), contentType: "image/webp")
        return TaskResult(
            videoKey: key.rawValue, thumbnailKey: thumbnailKey.rawValue, durationSeconds: probe.duration, width: width, height: height,
            fps: Int((video.fps ?? Double(task.request.fps)).rounded()), codec: video.codec, sizeBytes: info.size,
            audioCodec: probe.streams.first { $0.type == "audio" }?.codec, font: summary.fontFamily
        )
    }

    private var objects: any ObjectStore { worker.objects }

    /// The checkpoint a preempted earlier attempt left, if any and readable (otherwise the task
    /// starts over: same seed, same video, only slower).
    private func checkpoint() async -> VideoCheckpoint? {
        guard let reference = task.checkpointRef else { return nil }
        do {
            let bytes = try await objects.get(try ObjectKey(reference), range: nil).collect()
            let checkpoint = try VideoCheckpoint(serialized: bytes)
            logger.info("resuming from a checkpoint", metadata: ["task.window": "\(checkpoint.window)", "task.step": "\(checkpoint.sampler.nextStep)"])
            return checkpoint
        } catch {
            logger.warning("checkpoint unreadable; starting over", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Stores the checkpoint of a preempted render and gives the task back to the queue, no
    /// attempt charged. Runs its writes in a task of its own, as the shutdown release does.
    private func releasePreempted(_ checkpoint: VideoCheckpoint, token: Int64) async {
        let objects = self.objects
        let store = self.store
        let id = task.id
        let file = worker.configuration.workDirectory.appendingPathComponent("vgx-\(task.id).checkpoint")
        let released = await Task { () -> Bool in
            defer { try? FileManager.default.removeItem(at: file) }
            do {
                let key = try ObjectKey("checkpoints/\(id)/checkpoint.bin")
                try Data(checkpoint.serialized()).write(to: file)
                _ = try await objects.put(key, fromFile: file, contentType: "application/octet-stream")
                _ = try await store.release(id, token: token, checkpoint: key.rawValue)
                return true
            } catch {
                _ = try? await store.release(id, token: token, checkpoint: nil)
                return false
            }
        }.value
        logger.info("task preempted and released", metadata: [
            "task.window": "\(checkpoint.window)", "task.step": "\(checkpoint.sampler.nextStep)", "task.checkpointed": "\(released)",
        ])
    }

    /// What this task has run on so far, for the failure message: `tried procedural ×3` or
    /// `tried procedural ×3, then fallback procedural-lite ×1`.
    private var tried: String {
        let primary = worker.renderer.model.name
        guard task.useFallback else { return "tried \(primary) ×\(task.attempt + 1)" }
        return "tried \(primary) ×\(task.attempt), then fallback \(renderer.model.name) ×1"
    }

    /// A failure's record and whether another attempt may succeed.
    static func classify(_ error: any Error) -> (TaskFailure, Bool) {
        switch error {
        case let error as ModelError:
            return (TaskFailure(code: error.code, message: error.message), error.code != "invalid_job")
        case let error as MediaError:
            return (TaskFailure(code: "media_\(error.code.rawValue)", message: error.message), error.code != .frameSizeMismatch)
        case let error as AssetError:
            return (TaskFailure(code: error.code.rawValue, message: error.description), error.isRetryable)
        case let error as ObjectStoreError:
            return (TaskFailure(code: "object_\(error.code.rawValue)", message: error.message), true)
        default:
            return (TaskFailure(code: "internal", message: "the worker failed: \(error)"), true)
        }
    }
}
