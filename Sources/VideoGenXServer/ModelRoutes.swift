import Hummingbird
import VideoGenXCore

/// `GET /api/v1/models`: the model registry as `videogenx models` shows it — name, backend,
/// version, precision variants, what each renders, and whether this node can run it (and why
/// not). Any authenticated key may read it; requests name a model in `params.model`.
enum ModelRoutes {
    /// The listing in the API envelope.
    static func list(_ models: [RegisteredModel]) -> Response {
        Envelope.response(status: .ok, data: ["models": models.map(ModelView.init)])
    }
}

/// One model as the API shows it (snake_case).
struct ModelView: Encodable {
    var name: String
    var backend: String
    var version: String
    var description: String?
    var variants: [String]
    var resolutions: [String]
    var fps: [Int]
    var maxFrames: Int?
    var maxBatch: Int
    var memoryMBPerTask: Int
    var available: Bool
    var unavailableReason: String?

    enum CodingKeys: String, CodingKey {
        case name, backend, version, description, variants, resolutions, fps, available
        case maxFrames = "max_frames"
        case maxBatch = "max_batch"
        case memoryMBPerTask = "memory_mb_per_task"
        case unavailableReason = "unavailable_reason"
    }

    init(_ model: RegisteredModel) {
        name = model.name
        backend = model.backend
        version = model.version
        description = model.description
        variants = model.variants
        resolutions = model.capabilities.resolutions.map(\.rawValue)
        fps = model.capabilities.frameRates
        maxFrames = model.capabilities.maxFrames
        maxBatch = model.maxBatch
        memoryMBPerTask = model.memoryMBPerTask
        available = model.available
        unavailableReason = model.unavailableReason
    }
}
