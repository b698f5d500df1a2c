import Foundation
import VideoGenXCore

/// A task as the store holds it: request, queue state, lease, progress and outcome.
public struct TaskRecord: Sendable, Hashable, Codable {
    /// Public identifier.
    public var id: TaskID
    /// Owner.
    public var userID: String
    /// Lifecycle state.
    public var status: TaskStatus
    /// Priority lane.
    public var priority: TaskPriority
    /// The validated request (seed fixed).
    public var request: GenerationSpec
    /// Registry name of the model to run.
    public var model: String
    /// Tasks with equal batch keys may run in one batch.
    public var batchKey: String
    /// Failed attempts so far (failures and lost leases; a release does not count).
    public var attempt: Int
    /// Fencing token of the current (or last) lease: increases on every claim.
    public var fencingToken: Int64
    /// Worker holding the lease, while processing.
    public var leaseOwner: String?
    /// When the lease runs out, while processing.
    public var leaseExpiresAt: Date?
    /// 0–100.
    public var progress: Int
    /// Current stage (`queued`, `sampling`, `decoding`, `encoding`, `uploading`), free text.
    public var stage: String?
    /// The outcome of a succeeded task.
    public var result: TaskResult?
    /// The last error (of the failed task, or of the last failed attempt).
    public var error: TaskFailure?
    /// Client-supplied idempotency key, unique per user.
    public var idempotencyKey: String?
    /// A cancel was requested while processing; the worker stops at its next step.
    public var cancelRequested: Bool
    /// The next attempt must use the model's configured fallback.
    public var useFallback: Bool
    /// Object-store key of a preemption checkpoint to resume from.
    public var checkpointRef: String?
    /// W3C trace context of the submitting request.
    public var traceContext: String?
    /// Where terminal states are POSTed, if anywhere.
    public var callbackURL: String?
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date
    /// First claim.
    public var startedAt: Date?
    /// Reached a terminal state.
    public var finishedAt: Date?
    /// Not claimable before this time (retry backoff).
    public var availableAt: Date
    /// The submitter's tier when the task was created (`nil` for tasks from before tiers were
    /// recorded): preemption can spare tiers.
    public var tier: Tier? = nil

    /// Every field, for the drivers that read records back from their rows.
    package init(
        id: TaskID, userID: String, status: TaskStatus, priority: TaskPriority, request: GenerationSpec, model: String,
        batchKey: String, attempt: Int, fencingToken: Int64, leaseOwner: String?, leaseExpiresAt: Date?, progress: Int,
        stage: String?, result: TaskResult?, error: TaskFailure?, idempotencyKey: String?, cancelRequested: Bool,
        useFallback: Bool, checkpointRef: String?, traceContext: String?, callbackURL: String?, createdAt: Date,
        updatedAt: Date, startedAt: Date?, finishedAt: Date?, availableAt: Date, tier: Tier?
    ) {
        self.id = id
        self.userID = userID
        self.status = status
        self.priority = priority
        self.request = request
        self.model = model
        self.batchKey = batchKey
        self.attempt = attempt
        self.fencingToken = fencingToken
        self.leaseOwner = leaseOwner
        self.leaseExpiresAt = leaseExpiresAt
        self.progress = progress
        self.stage = stage
        self.result = result
        self.error = error
        self.idempotencyKey = idempotencyKey
        self.cancelRequested = cancelRequested
        self.useFallback = useFallback
        self.checkpointRef = checkpointRef
        self.traceContext = traceContext
        self.callbackURL = callbackURL
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.availableAt = availableAt
        self.tier = tier
    }
}

/// What a succeeded task produced.
public struct TaskResult: Sendable, Hashable, Codable {
    /// Object-store key of the video.
    public var videoKey: String
    /// Object-store key of the thumbnail, if one was made.
    public var thumbnailKey: String?
    /// Duration in seconds.
    public var durationSeconds: Double
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Frames per second.
    public var fps: Int
    /// Codec name (`hevc`, `h264`).
    public var codec: String
    /// Size of the video in bytes.
    public var sizeBytes: Int
    /// Audio codec name (`aac`) when the video has music; `nil` when silent.
    public var audioCodec: String?
    /// The font family subtitle or watermark text was drawn with, when there was text.
    public var font: String?
    /// When retention deleted the video and thumbnail (`objects.retention_days`); `nil` while
    /// they are kept.
    public var expiredAt: Date?

    /// Creates a result.
    public init(
        videoKey: String, thumbnailKey: String? = nil, durationSeconds: Double, width: Int, height: Int,
        fps: Int, codec: String, sizeBytes: Int, audioCodec: String? = nil, font: String? = nil
    ) {
        self.audioCodec = audioCodec
        self.font = font
        self.videoKey = videoKey
        self.thumbnailKey = thumbnailKey
        self.durationSeconds = durationSeconds
        self.width = width
        self.height = height
        self.fps = fps
        self.codec = codec
        self.sizeBytes = sizeBytes
    }
}

/// Why an attempt or a task failed: a stable code and a message for the user.
public struct TaskFailure: Sendable, Hashable, Codable {
    /// Stable error code, e.g. `ffmpeg_failed`, `lease_expired`.
    public var code: String
    /// Human-readable message.
    public var message: String

    /// Creates a failure.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What a client asks the store to enqueue.
public struct NewTask: Sendable, Hashable {
    /// Owner.
    public var userID: String
    /// The validated request.
    public var request: GenerationSpec
    /// Priority lane. Default P2.
    public var priority: TaskPriority
    /// Registry name of the model. Default the request's (`params.model`).
    public var model: String
    /// Batch key; default ``BatchKey`` of the request on `model` (resolution, frames, steps,
    /// sampler, fp32).
    public var batchKey: String
    /// Idempotency key, if the client sent one.
    public var idempotencyKey: String?
    /// Callback URL, if any.
    public var callbackURL: String?
    /// W3C trace context, if any.
    public var traceContext: String?
    /// The submitter's tier, if known.
    public var tier: Tier?
    /// Refuse the task (``StoreError`` `limitExceeded`) when the user already has this many
    /// queued, counted in the insert's own transaction so concurrent submissions cannot pass it
    /// together; an idempotent replay is answered first. `nil`: no cap.
    public var maxPending: Int?
    /// Refuse the task (``StoreError`` `queueFull`) when the queue as a whole holds this many,
    /// counted in the insert's transaction: exact on SQLite (one writer); on PostgreSQL
    /// submissions committing at the same moment may each see room (no queue-wide lock, which
    /// would serialise every api node), so it is a soft cap there. `nil`: no cap.
    public var maxQueued: Int?

    /// Creates a new-task description; defaults as documented on each property.
    public init(
        userID: String, request: GenerationSpec, priority: TaskPriority = .p2, model: String? = nil,
        batchKey: String? = nil, idempotencyKey: String? = nil, callbackURL: String? = nil, traceContext: String? = nil, tier: Tier? = nil,
        maxPending: Int? = nil, maxQueued: Int? = nil
    ) {
        self.tier = tier
        self.maxPending = maxPending
        self.maxQueued = maxQueued
        self.userID = userID
        self.request = request
        self.priority = priority
        let model = model ?? request.model
        self.model = model
        self.batchKey = batchKey ?? BatchKey(spec: request, model: model).description
        self.idempotencyKey = idempotencyKey
        self.callbackURL = callbackURL
        self.traceContext = traceContext
    }
}
