import Foundation
import Logging
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// One task of a rendering batch: its assets fetched into a private work directory, its model
/// taken from the renderer (warm cache), its generation stepped by the batch, and its own
/// post-processing ffmpeg fed with the frames of every window that finishes. When the last
/// frame is in, its encode child probes and uploads the video and reports it finished; a
/// member stopped by the batch (evicted, cancelled, released) discards its partial file.
final class BatchMember: Sendable {
    /// The claimed task.
    let task: TaskRecord
    /// Its generation, a sampler step at a time.
    let stepper: any GenerationStepper
    private let renderer: VideoRenderer
    private let model: any VideoModel
    private let objects: any ObjectStore
    private let workDirectory: URL
    private let assets: PostProcessingPlan.Assets
    private let format: VideoFormat
    private let writers: (stream: AsyncThrowingStream<FrameWriter, any Error>, continuation: AsyncThrowingStream<FrameWriter, any Error>.Continuation)
    private let input: (stream: AsyncThrowingStream<Void, any Error>, continuation: AsyncThrowingStream<Void, any Error>.Continuation)
    private let writer = Mutex<FrameWriter?>(nil)
    private let reported = Atomic<Bool>(false)
    /// What the task has run on so far, for a failure's message.
    private let tried: String

    /// The member was stopped by its batch; its encode ends without a report.
    struct Stopped: Error {}

    private init(
        task: TaskRecord, stepper: any GenerationStepper, renderer: VideoRenderer, model: any VideoModel, objects: any ObjectStore,
        workDirectory: URL, assets: PostProcessingPlan.Assets, format: VideoFormat, tried: String
    ) {
        self.task = task
        self.tried = tried
        self.stepper = stepper
        self.renderer = renderer
        self.model = model
        self.objects = objects
        self.workDirectory = workDirectory
        self.assets = assets
        self.format = format
        writers = AsyncThrowingStream.makeStream(of: FrameWriter.self, bufferingPolicy: .bufferingNewest(1))
        input = AsyncThrowingStream.makeStream(of: Void.self)
    }

    /// Fetches the task's assets, takes the model and sets up its generation, resuming from the
    /// task's checkpoint when it has a readable one (otherwise it starts over: same seed, same video).
    /// - Throws: what fetching, the model or the job throw; the work directory is removed then.
    static func open(
        _ task: TaskRecord, renderer: VideoRenderer, objects: any ObjectStore, in root: URL, tried: String, logger: Logger
    ) async throws -> BatchMember {
        let directory = root.appendingPathComponent("vgx-\(task.id).work")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        do {
            let (job, assets) = try await renderer.prepare(task.request, in: directory)
            let checkpoint = await checkpoint(of: task, objects: objects, logger: logger)
            let model = try await renderer.acquireModel()
            do {
                let stepper = try model.stepper(for: job, index: 0, resumingFrom: checkpoint)
                return BatchMember(
                    task: task, stepper: stepper, renderer: renderer, model: model, objects: objects, workDirectory: directory, assets: assets,
                    format: VideoFormat(width: job.width, height: job.height, fps: job.fps), tried: tried
                )
            } catch {
                await renderer.done(with: model)
                throw error
            }
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The checkpoint a preempted earlier attempt left, if any and readable.
    private static func checkpoint(of task: TaskRecord, objects: any ObjectStore, logger: Logger) async -> VideoCheckpoint? {
        guard let reference = task.checkpointRef else { return nil }
        do {
            let checkpoint = try VideoCheckpoint(serialized: try await objects.get(try ObjectKey(reference), range: nil).collect())
            logger.info("resuming from a checkpoint", metadata: [
                "task.id": "\(task.id)", "task.window": "\(checkpoint.window)", "task.step": "\(checkpoint.sampler.nextStep)",
            ])
            return checkpoint
        } catch {
            logger.warning("checkpoint unreadable; starting over", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
            return nil
        }
    }

    private var path: String { workDirectory.appendingPathComponent("video.mp4").path }

    /// The member's encode, run as a child of the batch: ffmpeg with the task's post-processing,
    /// fed by ``feed()`` until ``endInput()``; then probe, upload, thumbnail, and `finished`.
    /// A failure is reported once (``report(_:)``); a stop or cancellation reports nothing.
    func encode(control: any BatchControl, logger: Logger) async {
        defer { try? FileManager.default.removeItem(at: workDirectory) }
        do {
            let executor = PostProcessingExecutor(encoder: renderer.encoder)
            let outcome: PostProcessingExecutor.Outcome
            do {
                outcome = try await executor.run(task.request, format: format, workDirectory: workDirectory.path, assets: assets, to: path) { writer in
                    writers.continuation.yield(writer)
                    for try await _ in input.stream {}
                    try Task.checkCancellation()
                }
            } catch {
                await renderer.done(with: model)
                throw error
            }
            await renderer.done(with: model)
            control.progress(task, percent: 95, stage: "uploading")
            let result = try await upload(outcome)
            guard claimReport() else { return }
            await control.finished(task, result: result)
            if let reference = task.checkpointRef, let key = try? ObjectKey(reference) {
                try? await objects.delete(key)
            }
            logger.info("task succeeded", metadata: ["task.id": "\(task.id)", "video.bytes": "\(result.sizeBytes)"])
        } catch {
            writers.continuation.finish(throwing: error)
            if error is Stopped || error is CancellationError || Task.isCancelled { return }
            await report(error, control: control)
        }
    }

    /// Waits for the member's ffmpeg to take frames.
    /// - Throws: the encode's error when ffmpeg could not start (it has been reported).
    func attach() async throws {
        for try await started in writers.stream {
            writer.withLock { $0 = started }
            return
        }
        throw Stopped()
    }

    /// Runs one sampler step and writes the frames of a window it finished to ffmpeg (waiting
    /// while ffmpeg's pipe is full).
    func feed() async throws {
        try stepper.step()
        guard let writer = writer.withLock({ $0 }) else { throw Stopped() }
        while let chunk = stepper.nextChunk() {
            for frame in chunk.frames {
                try await writer.write(frame)
            }
        }
    }

    /// Every frame is in: ffmpeg finishes the file and the encode uploads it.
    func endInput() {
        input.continuation.finish()
    }

    /// Stops the member: ffmpeg is killed and the partial file removed; nothing is reported.
    func stop() {
        _ = claimReport()
        input.continuation.finish(throwing: Stopped())
    }

    /// Records `error` as the task's failure, once, and stops the member.
    func report(_ error: any Error, control: any BatchControl) async {
        guard claimReport() else { return }
        input.continuation.finish(throwing: Stopped())
        var (failure, retryable) = RenderFailure.classify(error)
        failure.message += " (\(tried))"
        await control.failed(task, failure: failure, retryable: retryable)
    }

    /// The first caller gets to report the task's end; later ones do nothing.
    private func claimReport() -> Bool {
        reported.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }

    /// Stores the member's checkpoint (`checkpoints/{task}/checkpoint.bin`) for its resume on any
    /// device; `nil` when it could not be stored.
    func storeCheckpoint() async -> String? {
        guard let checkpoint = stepper.checkpoint() else { return nil }
        let file = workDirectory.appendingPathComponent("checkpoint.bin")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let key = try ObjectKey("checkpoints/\(task.id)/checkpoint.bin")
            try Data(checkpoint.serialized()).write(to: file)
            _ = try await objects.put(key, fromFile: file, contentType: "application/octet-stream")
            return key.rawValue
        } catch {
            return nil
        }
    }

    /// Puts the video and its thumbnail in the object store and describes it from ffprobe's reading.
    private func upload(_ outcome: PostProcessingExecutor.Outcome) async throws -> TaskResult {
        let probe = try await FFprobe().probe(path)
        guard let video = probe.video, let width = video.width, let height = video.height else {
            throw MediaError(code: .probeUnreadable, message: "the encoded file has no video stream")
        }
        let key = try ObjectKey("videos/\(task.id)/video.mp4")
        let info = try await objects.put(key, fromFile: URL(fileURLWithPath: path), contentType: "video/mp4")
        let thumbnailPath = path + ".webp"
        try await Thumbnailer().thumbnail(of: path, duration: probe.duration, to: thumbnailPath)
        let thumbnailKey = try ObjectKey("videos/\(task.id)/thumbnail.webp")
        _ = try await objects.put(thumbnailKey, fromFile: URL(fileURLWithPath: thumbnailPath), contentType: "image/webp")
        return TaskResult(
            videoKey: key.rawValue, thumbnailKey: thumbnailKey.rawValue, durationSeconds: probe.duration, width: width, height: height,
            fps: Int((video.fps ?? Double(task.request.fps)).rounded()), codec: video.codec, sizeBytes: info.size,
            audioCodec: probe.streams.first { $0.type == "audio" }?.codec, font: outcome.fontFamily
        )
    }
}
