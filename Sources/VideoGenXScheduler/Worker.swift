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
    let fallbackRenderer: VideoRenderer?
    let configuration: WorkerConfiguration
    let logger: Logger
    /// Whether ``run()`` is running, for readiness checks.
    public let health = WorkerHealth()
    /// The running tasks and their pause signals (preemption).
    let running = RunningTasks()

    /// Creates a worker.
    ///
    /// - Parameter fallbackRenderer: runs attempts the store marks for the fallback model (after
    ///   the plain retries failed); `nil` runs them on `renderer` again.
    public init(
        store: any TaskStore, objects: any ObjectStore, renderer: VideoRenderer, fallbackRenderer: VideoRenderer? = nil,
        configuration: WorkerConfiguration = WorkerConfiguration(), logger: Logger
    ) {
        self.store = store
        self.objects = objects
        self.renderer = renderer
        self.fallbackRenderer = fallbackRenderer
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until cancelled or shut down gracefully. On graceful shutdown it claims nothing more,
    /// gives running tasks ``WorkerConfiguration/shutdownGraceSeconds`` to finish, then stops
    /// them at their next step and releases them to the queue.
    public func run() async throws {
        health.running.store(true, ordering: .relaxed)
        defer { health.running.store(false, ordering: .relaxed) }
        logger.info("worker started", metadata: ["worker.name": "\(configuration.name)", "worker.capacity": "\(configuration.capacity)"])
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try? await cancelWhenGracefulShutdown { try await reapLoop() } }
            await claimLoop()
        }
        logger.info("worker stopped", metadata: ["worker.name": "\(configuration.name)"])
    }

    /// Claims while there is room (``WorkerConfiguration/capacity``) and runs each task as a
    /// child; on graceful shutdown stops claiming and waits for the children (each bounded by
    /// the grace period).
    private func claimLoop() async {
        let health = self.health
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let room = configuration.capacity - health.runningTasks.load(ordering: .relaxed)
                var claimed: [TaskRecord] = []
                if room > 0 {
                    do {
                        claimed = try await store.claim(worker: configuration.name, capacity: room, leaseSeconds: configuration.leaseSeconds)
                    } catch {
                        if !Task.isCancelled { logger.error("claim failed", metadata: ["error": "\(error)"]) }
                    }
                }
                for task in claimed {
                    health.runningTasks.add(1, ordering: .relaxed)
                    group.addTask {
                        await runWithinGrace(task)
                        health.runningTasks.subtract(1, ordering: .relaxed)
                    }
                }
                if room <= 0 {
                    await preemptForUrgentWork()
                }
                if claimed.isEmpty {
                    // Wakes at once on shutdown.
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(configuration.pollSeconds)) }
                }
            }
        }
    }

    /// When the worker is full and a P0 task is claimable, asks the least urgent preemptible
    /// running task to pause at its next sampler step (it is checkpointed and released, and the
    /// freed slot is claimed on the next round).
    private func preemptForUrgentWork() async {
        let policy = configuration.preemption
        guard policy.isEnabled, (try? await store.hasClaimable(priority: .p0)) == true,
              let victim = running.preemptLeastUrgent(policy: policy)
        else { return }
        logger.info("preempting for a P0 task", metadata: ["task.id": "\(victim)"])
    }

    /// Runs `task`; once a graceful shutdown has lasted the grace period, cancels it (the task
    /// then stops at its next step and is released to the queue).
    private func runWithinGrace(_ task: TaskRecord) async {
        let grace = configuration.shutdownGraceSeconds
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let pause = running.add(task)
                defer { running.remove(task.id) }
                await TaskExecution(task: task, worker: self, pause: pause).run()
            }
            group.addTask {
                // Returns when the grace period after a shutdown request ran out, or when
                // cancelled because the task finished first.
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await Task.sleep(for: .seconds(grace))
            }
            await group.next()
            group.cancelAll()
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

    /// Tasks the worker is running now.
    public let runningTasks = Atomic<Int>(0)

    /// True while the worker runs.
    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Creates the health of a worker that has not started.
    public init() {}
}

extension Worker: CustomStringConvertible {
    /// `Worker(<name>)`, for service-lifecycle logs.
    public var description: String { "Worker(\(configuration.name))" }
}
