import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXObjects
import VideoGenXStore

/// The worker of a node (DESIGN §5, in-process for `serve`): a ``BatchScheduler`` with a
/// ``RenderingBatchRunner`` on each configured device — claim, batch by key within the window,
/// render the batch a sampler step at a time (each task through its own post-processing
/// ffmpeg), upload, complete — plus the sweep that re-queues expired leases. Leases are renewed,
/// progress written (throttled), a cancelled task stops at its next step, a failing task is
/// recorded as failed (or retried, its last attempt on the fallback model) while the rest of
/// its batch goes on, and a P0 task takes the place of the least urgent preemptible one at the
/// next step (checkpointed, resumed byte-identically). On graceful shutdown nothing new is
/// claimed; running tasks get ``WorkerConfiguration/shutdownGraceSeconds`` to finish, then are
/// released to the queue without charging an attempt.
public struct Worker: Service {
    let store: any TaskStore
    let configuration: WorkerConfiguration
    /// The sweep's clock between passes (the scheduler runs on it too).
    let clock: MonotonicClock
    /// The time the sweep compares leases with (the store's clock).
    let wallClock: any WallClock
    let logger: Logger
    /// The scheduler over this worker's devices.
    let scheduler: BatchScheduler
    /// Finished videos waiting for the object store.
    let spool: UploadSpool?
    /// Whether ``run()`` is running and how many tasks it renders, for readiness and the monitor.
    public let health: WorkerHealth

    /// What the worker's scheduler did (batch steps, tasks per step, preemptions, device faults).
    public var counters: SchedulerCounters { scheduler.counters }

    /// Creates a worker.
    ///
    /// - Parameters:
    ///   - fallbackRenderer: runs attempts the store marks for the fallback model (after the
    ///     plain retries failed); `nil` runs them on `renderer` again.
    ///   - devices: what each of ``WorkerConfiguration/devices`` reads as (the device monitor's
    ///     readings); `nil`: always online, load unknown.
    ///   - health: shared with the API's readiness check and the device monitor.
    ///   - modelCaches: each device's warm model cache, by device name: a device's lane takes
    ///     the task's model from its own cache (default: the renderers' cache, if any).
    ///   - clock: what batch windows, the step watchdog, lease renewals and the sweep's cadence
    ///     run on; default the system's monotonic clock.
    ///   - wallClock: the time expired leases are judged by (the store's); default the system's.
    ///   - spool: takes finished videos whose upload failed (and holds claims while full);
    ///     `nil`: such a failure fails the attempt.
    public init(
        store: any TaskStore, objects: any ObjectStore, spool: UploadSpool? = nil, renderer: VideoRenderer, fallbackRenderer: VideoRenderer? = nil,
        configuration: WorkerConfiguration = WorkerConfiguration(), devices: [any BatchDevice]? = nil, health: WorkerHealth = WorkerHealth(),
        modelCaches: [String: ModelCache] = [:], clock: MonotonicClock = .continuous, wallClock: any WallClock = SystemWallClock(),
        logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.health = health
        let devices = devices ?? configuration.devices.map { UnmonitoredDevice(name: $0.description) }
        let lanes = devices.map { device in
            var renderer = renderer
            var fallbackRenderer = fallbackRenderer
            if let cache = modelCaches[device.name] {
                renderer.models = cache
                fallbackRenderer?.models = cache
            }
            var runner = RenderingBatchRunner(
                device: device, renderer: renderer, fallbackRenderer: fallbackRenderer, objects: objects,
                workDirectory: configuration.workDirectory, health: health, clock: clock, logger: logger
            )
            runner.spool = spool
            runner.deadlines = MemberDeadlines(openSeconds: configuration.openTimeoutSeconds, finishSeconds: configuration.finishTimeoutSeconds)
            return BatchScheduler.Lane(device: device, runner: runner)
        }
        scheduler = BatchScheduler(
            store: store, lanes: lanes, configuration: configuration.batching, clock: clock, claimsHeld: { spool?.isFull ?? false }, logger: logger
        )
        self.spool = spool
    }

    /// Runs until cancelled or shut down gracefully (see the type's description).
    public func run() async throws {
        health.running.store(true, ordering: .relaxed)
        defer { health.running.store(false, ordering: .relaxed) }
        logger.info("worker started", metadata: [
            "worker.name": "\(configuration.name)", "worker.devices": "\(configuration.devices.map(\.description).joined(separator: ","))",
            "worker.capacity": "\(configuration.capacity)",
        ])
        await withDiscardingTaskGroup { group in
            group.addTask { try? await cancelWhenGracefulShutdown { try await reapLoop() } }
            if let spool {
                group.addTask { await cancelWhenGracefulShutdown { await spool.run() } }
            }
            try? await scheduler.run()
            if !Task.isCancelled && !Task.isShuttingDownGracefully {
                // Every device was taken out of service (hung): claim nothing, and say so to the
                // readiness check; expired leases are still swept until shutdown.
                health.running.store(false, ordering: .relaxed)
                logger.critical("no device left in service: the worker claims nothing until restarted", metadata: ["worker.name": "\(configuration.name)"])
            }
        }
        logger.info("worker stopped", metadata: ["worker.name": "\(configuration.name)"])
    }

    private func reapLoop() async throws {
        while !Task.isCancelled {
            do {
                let reaped = try await store.reapExpiredLeases(now: wallClock.now())
                for task in reaped {
                    logger.warning("lease expired", metadata: ["task.id": "\(task.id)", "task.status": "\(task.status.rawValue)"])
                }
            } catch is CancellationError {
                return
            } catch {
                logger.error("lease sweep failed", metadata: ["error": "\(error)"])
            }
            try await clock.sleep(for: .seconds(configuration.reapSeconds))
        }
    }
}

/// Whether a worker is running, shared with the API's readiness check.
public final class WorkerHealth: Sendable {
    /// True between the start and the end of ``Worker/run()``.
    public let running = Atomic<Bool>(false)

    /// Tasks the worker is running now.
    public let runningTasks = Atomic<Int>(0)

    /// The worker's upload spool, whose filling up makes the worker not ready.
    public let spool: UploadSpool?

    /// True while the worker runs.
    public var isRunning: Bool { running.load(ordering: .relaxed) }

    /// Why the worker is not ready (not running, or its spool full), or `nil` when it is.
    public var problem: String? {
        guard isRunning else { return "worker: not running" }
        return spool?.problem.map { "worker: \($0)" }
    }

    /// Creates the health of a worker that has not started, with its spool if it has one.
    public init(spool: UploadSpool? = nil) {
        self.spool = spool
    }
}

extension Worker: CustomStringConvertible {
    /// `Worker(<name>)`, for service-lifecycle logs.
    public var description: String { "Worker(\(configuration.name))" }
}
