import Logging
import ServiceLifecycle

/// The worker's partition job: makes the current and next two months' `tasks` partitions at
/// start and then every `interval` (default an hour), so inserts never reach the default
/// partition in normal operation. A failure is logged and retried at the next round.
public struct PartitionMaintenance: Service {
    let store: PostgresTaskStore
    let interval: Duration
    let logger: Logger

    /// A job over `store`'s database.
    public init(store: PostgresTaskStore, interval: Duration = .seconds(3600), logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Runs until cancelled or shut down gracefully.
    public func run() async throws {
        while !Task.isCancelled {
            do {
                try await store.ensurePartitions()
            } catch {
                logger.warning("task partition maintenance failed; retrying later", metadata: ["error": "\(error)"])
            }
            let interval = self.interval
            guard (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }) != nil else { return }
        }
    }
}
