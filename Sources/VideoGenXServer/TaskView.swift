import Foundation
import VideoGenXCore
import VideoGenXStore

/// A task as `GET /api/v1/video/task/{id}` shows it.
struct TaskView: Encodable, Sendable {
    var taskID: String
    var status: String
    var progress: Int
    var stage: String?
    var queuePosition: Int?
    /// Seconds until a queued task is likely done (as `estimated_time` at submission).
    var estimatedTime: Int?
    var createdAt: String
    var startedAt: String?
    var finishedAt: String?
    var attempts: Int
    var priority: Int
    var request: RequestEcho
    var result: ResultView?
    var error: ErrorView?

    enum CodingKeys: String, CodingKey {
        case taskID = "task_id", status, progress, stage, queuePosition = "queue_position", estimatedTime = "estimated_time"
        case createdAt = "created_at"
        case startedAt = "started_at", finishedAt = "finished_at", attempts, priority, request, result, error
    }

    /// The request as it runs: every default applied, the seed fixed.
    struct RequestEcho: Encodable, Sendable {
        var text: String
        var image: String?
        var params: Params

        struct Params: Encodable, Sendable {
            var resolution: String
            var fps: Int
            var duration: Int
            var style: String
            var saturation: Double
            var contrast: Double
            var cfgScale: Double
            var steps: Int
            var sampler: String
            var seed: UInt64
            var model: String
            var finishing: FinishingEcho

            enum CodingKeys: String, CodingKey {
                case resolution, fps, duration, style, saturation, contrast, cfgScale = "cfg_scale", steps, sampler, seed, model
            }

            /// The base parameters, then the finishing ones at the same level (the request's shape).
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(resolution, forKey: .resolution)
                try container.encode(fps, forKey: .fps)
                try container.encode(duration, forKey: .duration)
                try container.encode(style, forKey: .style)
                try container.encode(saturation, forKey: .saturation)
                try container.encode(contrast, forKey: .contrast)
                try container.encode(cfgScale, forKey: .cfgScale)
                try container.encode(steps, forKey: .steps)
                try container.encode(sampler, forKey: .sampler)
                try container.encode(seed, forKey: .seed)
                try container.encode(model, forKey: .model)
                try finishing.encode(to: encoder)
            }
        }
    }

    struct ResultView: Encodable, Sendable {
        /// Whether retention deleted the video (no URLs then).
        var expired: Bool
        var videoURL: String?
        var thumbnailURL: String?
        var duration: Double
        var width: Int
        var height: Int
        var fps: Int
        var codec: String
        var audioCodec: String?
        var font: String?
        var sizeBytes: Int
        var expiresAt: String?

        /// The view of `stored` with the given URLs and expiry (`nil` when it has none).
        init(_ stored: TaskResult, videoURL: String?, thumbnailURL: String?, expiresAt: String?) {
            expired = stored.expiredAt != nil
            self.videoURL = videoURL
            self.thumbnailURL = thumbnailURL
            duration = stored.durationSeconds
            width = stored.width
            height = stored.height
            fps = stored.fps
            codec = stored.codec
            audioCodec = stored.audioCodec
            font = stored.font
            sizeBytes = stored.sizeBytes
            self.expiresAt = expiresAt
        }

        enum CodingKeys: String, CodingKey {
            case expired, videoURL = "video_url", thumbnailURL = "thumbnail_url", duration, width, height, fps, codec
            case audioCodec = "audio_codec", font
            case sizeBytes = "size_bytes", expiresAt = "expires_at"
        }
    }

    struct ErrorView: Encodable, Sendable {
        var code: String
        var message: String
    }

    /// ISO 8601 with milliseconds, UTC.
    static func timestamp(_ date: Date) -> String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date)
    }

    init(_ task: TaskRecord, queuePosition: Int?, result: ResultView?, estimatedTime: Int? = nil) {
        taskID = task.id.rawValue
        status = task.status.apiName
        progress = task.progress
        stage = task.status == .queued ? "queued" : task.stage
        self.queuePosition = task.status == .queued ? queuePosition : nil
        self.estimatedTime = task.status == .queued ? estimatedTime : nil
        createdAt = Self.timestamp(task.createdAt)
        startedAt = task.startedAt.map(Self.timestamp)
        finishedAt = task.finishedAt.map(Self.timestamp)
        attempts = task.attempt + (task.status == .processing || task.status == .succeeded ? 1 : 0)
        priority = task.priority.rawValue
        let spec = task.request
        request = RequestEcho(text: spec.text, image: spec.image, params: .init(
            resolution: spec.resolution.rawValue, fps: spec.fps, duration: spec.durationSeconds, style: spec.style.rawValue,
            saturation: spec.saturation, contrast: spec.contrast, cfgScale: spec.cfgScale, steps: spec.steps,
            sampler: spec.sampler.rawValue, seed: spec.seed, model: spec.model, finishing: FinishingEcho(spec)
        ))
        self.result = task.status == .succeeded ? result : nil
        error = task.status == .failed ? task.error.map { ErrorView(code: $0.code, message: $0.message) } : nil
    }
}
