import Foundation
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// Turns a stored task into what clients see (``TaskView``): queue position while queued, signed
/// result URLs once succeeded (from `signedURLs` while they have half their life left, when
/// given). Shared by the routes, the event stream and the webhooks.
struct TaskPresenter: Sendable {
    let store: any TaskStore
    let objects: any ObjectStore
    /// Lifetime of the result URLs it signs, in seconds.
    let urlExpirySeconds: Double
    /// Reused signed URLs; `nil`: every view signs afresh.
    var signedURLs: SignedURLCache? = nil

    /// The view of `task` as of now.
    func view(_ task: TaskRecord) async throws -> TaskView {
        let position = task.status == .queued ? try await store.queuePosition(of: task.id) : nil
        var result: TaskView.ResultView?
        if let stored = task.result, let key = try? ObjectKey(stored.videoKey) {
            // An expired result's objects are gone: no URLs that would lead nowhere.
            let expired = stored.expiredAt != nil
            let video = expired ? nil : try sign(key)
            let thumbnail = expired ? nil : try stored.thumbnailKey.flatMap { try? ObjectKey($0) }.map { try sign($0) }
            result = TaskView.ResultView(
                expired: expired, videoURL: video?.url, thumbnailURL: thumbnail?.url, duration: stored.durationSeconds, width: stored.width,
                height: stored.height, fps: stored.fps, codec: stored.codec, audioCodec: stored.audioCodec, font: stored.font,
                sizeBytes: stored.sizeBytes, expiresAt: video.map { TaskView.timestamp(min($0.expiresAt, thumbnail?.expiresAt ?? $0.expiresAt)) }
            )
        }
        return TaskView(task, queuePosition: position, result: result)
    }

    private func sign(_ key: ObjectKey) throws -> SignedURLCache.Signed {
        if let signedURLs { return try signedURLs.url(for: key, objects: objects) }
        return SignedURLCache.Signed(
            url: try objects.presignedGet(key, expiresIn: urlExpirySeconds).absoluteString, expiresAt: Date().addingTimeInterval(urlExpirySeconds)
        )
    }
}
