import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// The worker of one device (DESIGN §5, in-process for `serve`): claims a task, renders it with
/// the model and encoder, uploads the video, completes the task — heartbeating its lease,
/// writing throttled progress, stopping at the next sampler step when the task is cancelled —
/// and sweeps expired leases. A failing task is recorded as failed (or retried) and the worker
/// carries on. On graceful shutdown a running task is released back to the queue.
public struct Worker: Service {
    let store: any TaskStore
    let objects: any ObjectStore
    let renderer: VideoRenderer
    let configuration: WorkerConfiguration
    let logger: Logger
    /// Whether ``run()`` is running, for readiness checks.
    public let health = WorkerHealth()

    /// Creates a worker.
    public init(
        store: any TaskStore, objects: any ObjectStore, renderer: VideoRenderer,
        configuration: WorkerConfiguration = WorkerConfiguration(), logger: Logger
    ) {
        self.store = store
        self.objects = objects
        self.renderer = renderer
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until cancelled or shut down gracefully.
    public func run() async throws {
        health.running.store(true, ordering: .relaxed)
        defer { health.running.store(false, ordering: .relaxed) }
        logger.info("worker started", metadata: ["worker.name": "\(configuration.name)"])
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await reapLoop() }
                try await claimLoop()
            }
        }
        logger.info("worker stopped", metadata: ["worker.name": "\(configuration.name)"])
    }

    private func claimLoop() async throws {
        while !Task.isCancelled {
            let claimed: [TaskRecord]
            do {
                claimed = try await store.claim(worker: configuration.name, capacity: 1, leaseSeconds: configuration.leaseSeconds)
            } catch is CancellationError {
                return
            } catch {
                logger.error("claim failed", metadata: ["error": "\(error)"])
                claimed = []
            }
            if claimed.isEmpty {
                try await Task.sleep(for: .seconds(configuration.pollSeconds))
                continue
            }
            for task in claimed {
                await TaskExecution(task: task, worker: self).run()
            }
        }
    }

    private func reapLoop() async throws {
        while !Task.isCancelled {
            do {
                let reaped = try await store.reapExpiredLeases(now: Date())
                for task in reaped {
                    logger.warning("lease expired", metadata: ["task.id": "\(task.id)", "task.status": "\(task.status.rawValue)"])
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("lease sweep failed", metadata: ["error": "\(error)"])
            }
            try await Task.sleep(for: .seconds(configuration.reapSeconds))
        }
    }
}

/// Whether a worker is running, shared with the API's readiness check.
public final class WorkerHealth: Sendable {
    /// True between the start and the end of ``Worker/run()``.
    public let running = Atomic<Bool>(false)

    /// True while the worker runs.
    public var isRunning: Bool { running.load(ordering: .relaxed) }
}
