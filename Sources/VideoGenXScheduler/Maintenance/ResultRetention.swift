import Foundation
import Logging
import ServiceLifecycle
import VideoGenXObjects
import VideoGenXStore

/// Retention of results (`objects.retention_days`): once per ``intervalSeconds`` deletes the
/// video and thumbnail of every task that succeeded more than ``days`` ago and marks its result
/// expired, so the API shows no URL that leads nowhere. Run by every worker; passes on several
/// workers at once are harmless (deleting and marking twice change nothing).
public struct ResultRetention: Service {
    /// Results older than this many days go.
    public let days: Int
    /// Seconds between passes (3,600).
    public let intervalSeconds: Double
    let store: any TaskStore
    let objects: any ObjectStore
    let wallClock: any WallClock
    let logger: Logger

    /// Creates the job.
    public init(
        days: Int, store: any TaskStore, objects: any ObjectStore, intervalSeconds: Double = 3600,
        wallClock: any WallClock = SystemWallClock(), logger: Logger
    ) {
        self.days = days
        self.store = store
        self.objects = objects
        self.intervalSeconds = intervalSeconds
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Runs a pass at once and then every ``intervalSeconds`` until shutdown; a failed pass is
    /// logged and tried again at the next.
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let expired = try await pass()
                    if expired > 0 { logger.info("results expired", metadata: ["retention.days": "\(days)", "tasks": "\(expired)"]) }
                } catch is CancellationError {
                    return
                } catch {
                    logger.error("result retention pass failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: .seconds(intervalSeconds))
            }
        }
    }

    /// One pass: expires every result older than ``days`` (100 at a time) and returns how many.
    @discardableResult
    public func pass() async throws -> Int {
        let cutoff = wallClock.now().addingTimeInterval(-Double(days) * 86_400)
        var count = 0
        while true {
            let batch = try await store.unexpiredResults(finishedBefore: cutoff, limit: 100)
            for task in batch {
                guard let result = task.result else { continue }
                for key in [result.videoKey, result.thumbnailKey].compactMap({ $0 }) {
                    try await objects.delete(try ObjectKey(key))
                }
                try await store.markResultExpired(task.id, at: wallClock.now())
                count += 1
            }
            if batch.count < 100 { return count }
        }
    }
}
