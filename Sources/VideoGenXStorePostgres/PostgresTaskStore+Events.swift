import Foundation
import Logging
import PostgresNIO
import VideoGenXCore
import VideoGenXStore

extension PostgresTaskStore {
    /// The channel every task change is announced on (by the `tasks_notify` trigger).
    static let channel = "videogenx_tasks"

    /// Listens on ``channel`` for as long as the store runs, re-reading each task another process
    /// changed and publishing it to this process's subscribers. A lost connection is retried
    /// with backoff (0.1 s doubling to 2 s); the changes missed while it was down are not
    /// replayed, so consumers that must not miss one (SSE, waits) re-read the task on a timer too.
    func listen() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        delay = .milliseconds(100)
                        for try await notification in notifications {
                            await self.handle(notification.payload)
                        }
                    }
                }
            } catch is CancellationError {
                return
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("task event listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
    }

    /// Publishes the task a notification names, unless this process made the change.
    private func handle(_ payload: String) async {
        let parts = payload.split(separator: " ", maxSplits: 2)
        guard parts.count == 3, let id = TaskID(rawValue: String(parts[0])) else { return }
        guard parts[2] != origin else { return }
        do {
            // The listening connection is busy with its notification stream only between
            // notifications; a pooled connection reads the row.
            if let task = try await get(id) {
                broadcaster.publishChanged([TaskEvent(task)])
            }
        } catch {
            logger.warning("could not read a notified task", metadata: ["task.id": "\(id)", "error": "\(error)"])
        }
    }
}
