import Foundation
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// Turns a stored task into what clients see (``TaskView``): queue position while queued, fresh
/// signed result URLs once succeeded. Shared by the routes, the event stream and the webhooks.
struct TaskPresenter: Sendable {
    let store: any TaskStore
    let objects: any ObjectStore
    /// Lifetime of the result URLs it signs, in seconds.
    let urlExpirySeconds: Double

    /// The view of `task` as of now.
    func view(_ task: TaskRecord) async throws -> TaskView {
        let position = task.status == .queued ? try await store.queuePosition(of: task.id) : nil
        var result: TaskView.ResultView?
        if let stored = task.result, let key = try? ObjectKey(stored.videoKey) {
            // An expired result's objects are gone: no URLs that would lead nowhere.
            let expired = stored.expiredAt != nil
            let url = expired ? nil : try objects.presignedGet(key, expiresIn: urlExpirySeconds).absoluteString
            let thumbnail = expired ? nil : try stored.thumbnailKey.flatMap { try? ObjectKey($0) }.map {
                try objects.presignedGet($0, expiresIn: urlExpirySeconds).absoluteString
            }
            result = TaskView.ResultView(
                expired: expired, videoURL: url, thumbnailURL: thumbnail, duration: stored.durationSeconds, width: stored.width,
                height: stored.height, fps: stored.fps, codec: stored.codec, audioCodec: stored.audioCodec, font: stored.font,
                sizeBytes: stored.sizeBytes, expiresAt: expired ? nil : TaskView.timestamp(Date().addingTimeInterval(urlExpirySeconds))
            )
        }
        return TaskView(task, queuePosition: position, result: result)
    }
}
