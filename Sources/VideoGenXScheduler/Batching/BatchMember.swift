import Foundation
import Logging
import Synchronization
import Tracing
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// One task of a rendering batch. Its own child task opens it — fetches the assets into a
/// private work directory, takes the model from the renderer (warm cache), sets up its
/// generation (from its checkpoint, if any) and starts its post-processing ffmpeg — while the
/// batch goes on stepping the others; once ``standing`` is `ready` the batch steps it too and feeds ffmpeg
/// the frames of every window that finishes. When the last frame is in, the child probes and
/// uploads the video and reports it finished; a member stopped by the batch (evicted,
/// cancelled, released) discards its partial file.
final class BatchMember: Sendable {
    /// Where the member stands.
    enum Phase: Sendable {
        /// Fetching assets, taking the model, starting ffmpeg.
        case opening
        /// Stepping: its generation and the ffmpeg its frames go to.
        case ready(any GenerationStepper, FrameWriter)
        /// It ended before it was ready (failed or stopped); nothing more to do.
        case ended
    }

    /// The claimed task.
    let task: TaskRecord
    private let renderer: VideoRenderer
    private let objects: any ObjectStore
    /// Takes the finished files when their upload fails; `nil`: the failure fails the attempt.
    private let spool: UploadSpool?
    private let workDirectory: URL
    /// What the task has run on so far, for a failure's message.
    private let tried: String
    private let phase = Mutex<Phase>(.opening)
    /// Rung when the member leaves ``Phase/opening`` (shared by the batch's members).
    private let opened: Doorbell
    private let input: (stream: AsyncThrowingStream<Void, any Error>, continuation: AsyncThrowingStream<Void, any Error>.Continuation)
    private let reported = Atomic<Bool>(false)
    /// The attempt's spans.
    private let trace: RenderTrace
    /// When the batch started opening it (its runner's clock).
    let openedAt: MonotonicClock.Instant
    /// Ends once the member's life has ended or the member was abandoned.
    private let over = AsyncStream.makeStream(of: Void.self)
    /// The task running the member's life (``live(control:logger:)``), cancelled if abandoned.
    private let life = Mutex<Task<Void, Never>?>(nil)
    /// Whether its life has ended or it was abandoned.
    private let ended = Atomic<Bool>(false)
    /// When its last frame went in (``endInput(at:)``), if it has.
    private let finishing = Mutex<MonotonicClock.Instant?>(nil)

    /// The member was stopped by its batch; its encode ends without a report.
    struct Stopped: Error {}

    /// A member for `task`, rendered by `renderer` in a work directory under `root`; rings
    /// `opened` once ready or ended.
    init(
        _ task: TaskRecord, renderer: VideoRenderer, objects: any ObjectStore, spool: UploadSpool?, in root: URL, tried: String, opened: Doorbell,
        device: String? = nil, openedAt: MonotonicClock.Instant
    ) {
        self.openedAt = openedAt
        trace = RenderTrace(task, device: device)
        self.spool = spool
        self.opened = opened
        self.task = task
        self.renderer = renderer
        self.objects = objects
        self.tried = tried
        // One folder per claim (the fencing token is new on every claim): two workers on one
        // machine may hold the same task a moment apart (a paused worker whose lease expired
        // comes back while another renders it), and the first to finish would otherwise delete
        // the folder the other is encoding in (the drill saw four attempts in a row fail so).
        workDirectory = root.appendingPathComponent("vgx-\(task.id)-\(task.fencingToken).work")
        input = AsyncThrowingStream.makeStream(of: Void.self)
    }

    /// Where the member stands, read once (its phase changes on its own child's thread).
    enum Standing: Sendable {
        case opening, ready, ended
    }

    /// Where the member stands now. Read it once per decision: two reads (ready? ended?) can
    /// straddle the member's opening, and a member sorted by both answers could be dropped.
    var standing: Standing {
        switch phase.withLock({ $0 }) {
        case .opening: .opening
        case .ready: .ready
        case .ended: .ended
        }
    }

    /// Whether it ended before it was ready.
    var hasEnded: Bool { standing == .ended }

    /// Its generation once ready.
    var stepper: (any GenerationStepper)? {
        if case .ready(let stepper, _) = phase.withLock({ $0 }) { return stepper }
        return nil
    }

    /// Runs the member's life (``run(control:logger:)``) in a task of its own and returns when
    /// it ends — or at once when the member is abandoned (``abandon(_:control:logger:)``): work
    /// that ignores cancellation (a tool that never exits) cannot hold the batch.
    func live(control: any BatchControl, logger: Logger) async {
        let task = Task {
            await run(control: control, logger: logger)
            ended.store(true, ordering: .relaxed)
            over.continuation.finish()
        }
        life.withLock { $0 = task }
        await withTaskCancellationHandler {
            for await _ in over.stream {}
        } onCancel: {
            task.cancel()
        }
    }

    /// Whether its life has ended or it was abandoned.
    var isOver: Bool { ended.load(ordering: .relaxed) }

    /// When its last frame went to ffmpeg, if it has: it is finishing since.
    var finishingSince: MonotonicClock.Instant? { finishing.withLock { $0 } }

    /// Gives up on a member stuck opening or finishing (``MemberDeadlines``): records `error` as
    /// its attempt's failure (unless its end was reported already), ends it, cancels its work
    /// and stops waiting for it.
    func abandon(_ error: any Error, control: any BatchControl, logger: Logger) async {
        logger.error("task stuck: its attempt fails and its work is left behind", metadata: [
            "task.id": "\(task.id)", "error": "\(error)",
        ])
        ended.store(true, ordering: .relaxed)
        await report(error, control: control)
        leaveOpening(to: .ended)
        life.withLock { $0 }?.cancel()
        over.continuation.finish()
    }

    /// The member's life, run as a child of the batch: open it, run ffmpeg with the task's
    /// post-processing fed by ``feed()`` until ``endInput(at:)``, then probe, upload, thumbnail and
    /// `finished`. A failure is reported once (``report(_:control:)``); a stop or cancellation
    /// reports nothing.
    ///
    /// Runs inside the attempt's span (``RenderTrace``): its log lines carry the trace's ids.
    func run(control: any BatchControl, logger: Logger) async {
        let failure = await ServiceContext.withValue(trace.attempt.context) {
            await render(control: control, logger: logger)
        }
        // A stop (eviction, cancel, shutdown) is not the attempt failing.
        trace.end(error: failure is Stopped || failure is CancellationError ? nil : failure)
    }

    /// ``run(control:logger:)``'s work; returns the error the attempt ended with, if any.
    private func render(control: any BatchControl, logger: Logger) async -> (any Error)? {
        defer {
            try? FileManager.default.removeItem(at: workDirectory)
            leaveOpening(to: .ended)
        }
        let model: any VideoModel
        let stepper: any GenerationStepper
        let assets: PostProcessingPlan.Assets
        let format: VideoFormat
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            let job: GenerationJob
            (job, assets) = try await trace.stage("assets.fetch") { _ in try await renderer.prepare(task.request, in: workDirectory) }
            let checkpoint = await Self.checkpoint(of: task, objects: objects, logger: logger)
            // The model cache's `model.acquire` span goes under the attempt's.
            model = try await renderer.acquireModel()
            format = VideoFormat(width: job.width, height: job.height, fps: job.fps)
            do {
                stepper = try model.stepper(for: job, index: 0, resumingFrom: checkpoint)
            } catch {
                await renderer.done(with: model)
                throw error
            }
        } catch {
            await ended(with: error, control: control)
            return error
        }
        if hasEnded {
            // Stopped while opening.
            await renderer.done(with: model)
            return nil
        }
        do {
            let executor = PostProcessingExecutor(encoder: renderer.encoder)
            let outcome: PostProcessingExecutor.Outcome
            do {
                outcome = try await trace.stage("encode") { _ in
                    try await executor.run(task.request, format: format, workDirectory: workDirectory.path, assets: assets, to: path) { writer in
                        leaveOpening(to: .ready(stepper, writer))
                        for try await _ in input.stream {}
                        try Task.checkCancellation()
                    }
                }
            } catch {
                await renderer.done(with: model)
                throw error
            }
            await renderer.done(with: model)
            // Cancelled while encoding, or while the file is probed and its thumbnail made:
            // nothing to upload.
            if control.cancelRequested(task) { return await stopCancelled(control: control) }
            control.progress(task, percent: 95, stage: "uploading")
            let (result, files) = try await describe(outcome)
            // A lease lost while it finished: the new owner's files are not overwritten.
            guard await control.holdsLease(task) else { return nil }
            if control.cancelRequested(task) { return await stopCancelled(control: control) }
            do {
                try await trace.stage("upload") { span in
                    span.attributes["videogenx.video.bytes"] = result.sizeBytes
                    for file in files {
                        _ = try await objects.put(file.key, fromFile: file.source, contentType: file.contentType)
                    }
                }
            } catch {
                let stopped = error is CancellationError || Task.isCancelled
                guard let spool, !stopped else {
                    // Nothing will finish the upload later: what went up before the failure goes,
                    // so a task that then fails for good leaves no orphan video (a retry uploads
                    // it again). A stop leaves them: the task may be another worker's by now.
                    if !stopped { for file in files { try? await objects.delete(file.key) } }
                    throw error
                }
                guard claimReport() else { return nil }
                do {
                    try spool.keep(task, result: result, files: files)
                } catch let spoolError {
                    logger.error("the spool cannot take the video", metadata: ["task.id": "\(task.id)", "error": "\(spoolError)"])
                    await recordFailure(error, control: control)
                    return nil
                }
                await control.handedOff(task)
                return nil
            }
            guard claimReport() else { return nil }
            let recorded = try await trace.stage("complete") { _ in await control.finished(task, result: result) }
            if recorded == .cancelled {
                // Cancelled while it uploaded: the store dropped the result, so its files go too.
                for file in files { try? await objects.delete(file.key) }
            }
            if let reference = task.checkpointRef, let key = try? ObjectKey(reference) {
                try? await objects.delete(key)
            }
            logger.info("task succeeded", metadata: ["task.id": "\(task.id)", "video.bytes": "\(result.sizeBytes)"])
        } catch {
            await ended(with: error, control: control)
            return error
        }
        return nil
    }

    /// Ends a member whose user cancelled it after its last step, before anything was
    /// uploaded: the loop confirms the cancel (unless its end was reported already).
    private func stopCancelled(control: any BatchControl) async -> (any Error)? {
        guard claimReport() else { return nil }
        await control.cancelled(task)
        return nil
    }

    /// Leaves ``Phase/opening`` (only from there) and wakes whoever waits for it.
    private func leaveOpening(to next: Phase) {
        let left = phase.withLock { phase in
            guard case .opening = phase else { return false }
            phase = next
            return true
        }
        if left { opened.ring() }
    }

    /// The member's child ended with `error`: reported, unless the batch stopped it or the
    /// device loop is shutting down (it releases the task).
    private func ended(with error: any Error, control: any BatchControl) async {
        leaveOpening(to: .ended)
        if error is Stopped || error is CancellationError || Task.isCancelled { return }
        await report(error, control: control)
    }

    /// The checkpoint a preempted earlier attempt left, if any and readable (otherwise the task
    /// starts over: same seed, same video).
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

    /// Runs one sampler step and writes the frames of a window it finished to ffmpeg (waiting
    /// while ffmpeg's pipe is full). The step and the decoding run on ``ComputeThreads``.
    func feed() async throws {
        guard case .ready(let stepper, let writer) = phase.withLock({ $0 }) else { throw Stopped() }
        let before = stepper.progress
        try await stepper.stepOnComputeThreads()
        trace.stepped(from: before)
        var decodeStart = DefaultTracerClock.now
        while let chunk = try await stepper.nextChunkOnComputeThreads() {
            trace.decoded(since: decodeStart, frames: chunk.frames.count)
            for frame in chunk.frames {
                try await writer.write(frame)
            }
            decodeStart = DefaultTracerClock.now
        }
    }

    /// Every frame is in (at `instant`): ffmpeg finishes the file and the member uploads it.
    func endInput(at instant: MonotonicClock.Instant) {
        finishing.withLock { $0 = instant }
        input.continuation.finish()
    }

    /// Stops the member, opening or ready: ffmpeg is killed and the partial file removed;
    /// nothing is reported.
    func stop() {
        _ = claimReport()
        input.continuation.finish(throwing: Stopped())
        leaveOpening(to: .ended)
    }

    /// Records `error` as the task's failure, once, and stops the member.
    func report(_ error: any Error, control: any BatchControl) async {
        guard claimReport() else { return }
        await recordFailure(error, control: control)
    }

    /// Records `error` as the task's failure (the caller holds the report) and stops the member.
    private func recordFailure(_ error: any Error, control: any BatchControl) async {
        input.continuation.finish(throwing: Stopped())
        await renderer.reportMemoryPressure(after: error)
        var (failure, retryable) = RenderFailure.classify(error)
        failure.message += " (\(tried))"
        await control.failed(task, failure: failure, retryable: retryable)
    }

    /// The first caller gets to report the task's end; later ones do nothing.
    private func claimReport() -> Bool {
        reported.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged
    }

    /// Stores the member's checkpoint (`checkpoints/{task}/checkpoint.bin`) for its resume on any
    /// device; `nil` when it has none (not ready yet: the task's earlier checkpoint, if any,
    /// stays) or it could not be stored.
    func storeCheckpoint() async -> String? {
        guard let checkpoint = stepper?.checkpoint() else { return nil }
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

    /// Describes the finished video from ffprobe's reading and makes its thumbnail: the task's
    /// result and the two files to store.
    private func describe(
        _ outcome: PostProcessingExecutor.Outcome
    ) async throws -> (TaskResult, [(source: URL, key: ObjectKey, contentType: String)]) {
        let probe = try await FFprobe().probe(path)
        guard let video = probe.video, let width = video.width, let height = video.height else {
            throw MediaError(code: .probeUnreadable, message: "the encoded file has no video stream")
        }
        let key = try ObjectKey("videos/\(task.id)/video.mp4")
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let thumbnailPath = workDirectory.appendingPathComponent("thumbnail.webp").path
        try await Thumbnailer().thumbnail(of: path, duration: probe.duration, to: thumbnailPath)
        let thumbnailKey = try ObjectKey("videos/\(task.id)/thumbnail.webp")
        let files = [
            (source: URL(fileURLWithPath: path), key: key, contentType: "video/mp4"),
            (source: URL(fileURLWithPath: thumbnailPath), key: thumbnailKey, contentType: "image/webp"),
        ]
        let result = TaskResult(
            videoKey: key.rawValue, thumbnailKey: thumbnailKey.rawValue, durationSeconds: probe.duration, width: width, height: height,
            fps: Int((video.fps ?? Double(task.request.fps)).rounded()), codec: video.codec, sizeBytes: size,
            audioCodec: probe.streams.first { $0.type == "audio" }?.codec, font: outcome.fontFamily
        )
        return (result, files)
    }
}
