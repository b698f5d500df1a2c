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
    /// The rendering rate behind a queued task's `estimated_time`; `nil`: views carry none.
    var completionRate: CompletionRate? = nil

    /// The view of `task` as of now.
    func view(_ task: TaskRecord) async throws -> TaskView {
        let position = task.status == .queued ? try await store.queuePosition(of: task.id) : nil
        var estimate: Int?
        if let position, let completionRate {
            estimate = try await TaskEstimate(store: store, rate: completionRate).seconds(for: task, ahead: position)
        }
        var result: TaskView.ResultView?
        if let stored = task.result, let keys = Self.resultKeys(stored) {
            let video = try keys.video.map(sign)
            let thumbnail = try keys.thumbnail.map(sign)
            result = TaskView.ResultView(stored, videoURL: video?.url, thumbnailURL: thumbnail?.url, expiresAt: Self.expiry(video: video, thumbnail: thumbnail))
        }
        return TaskView(task, queuePosition: position, result: result, estimatedTime: estimate)
    }

    /// The objects a stored result has URLs for: none once retention expired it (no URLs that
    /// would lead nowhere); `nil` for a result whose video key is unusable.
    static func resultKeys(_ stored: TaskResult) -> (video: ObjectKey?, thumbnail: ObjectKey?)? {
        guard let video = try? ObjectKey(stored.videoKey) else { return nil }
        guard stored.expiredAt == nil else { return (nil, nil) }
        return (video, stored.thumbnailKey.flatMap { try? ObjectKey($0) })
    }

    /// `expires_at` of a result: when the first of its URLs stops working.
    static func expiry(video: SignedURLCache.Signed?, thumbnail: SignedURLCache.Signed?) -> String? {
        guard let video else { return nil }
        guard let thumbnail, thumbnail.expiresAt < video.expiresAt else { return video.expiresAtText }
        return thumbnail.expiresAtText
    }

    /// A URL for `key`: reused from ``signedURLs`` while it has half its life left, else signed now.
    func sign(_ key: ObjectKey) throws -> SignedURLCache.Signed {
        if let signedURLs { return try signedURLs.url(for: key, objects: objects) }
        return try SignedURLCache.sign(key, objects: objects, lifetime: urlExpirySeconds, at: Date())
    }
}
