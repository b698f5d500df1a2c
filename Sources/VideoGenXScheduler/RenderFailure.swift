import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// How a failed render is recorded: the task's error code and message, and whether another
/// attempt may succeed (a bad job or a frame of the wrong size will not).
enum RenderFailure {
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
        case let error as MemberDeadlines.Passed:
            return (TaskFailure(code: error.code, message: error.description), true)
        default:
            return (TaskFailure(code: "internal", message: "the worker failed: \(error)"), true)
        }
    }

    /// What `task` has run on so far, for a failure's message: `tried procedural ×3` or
    /// `tried procedural ×3, then fallback procedural-lite ×1`.
    static func tried(_ task: TaskRecord, primary: String, fallback: String) -> String {
        guard task.useFallback else { return "tried \(primary) ×\(task.attempt + 1)" }
        return "tried \(primary) ×\(task.attempt), then fallback \(fallback) ×1"
    }
}

