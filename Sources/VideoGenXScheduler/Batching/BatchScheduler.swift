import Logging
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The batching scheduler of one node (DESIGN §5): a ``DeviceBatchLoop`` per device, woken when
/// tasks are queued, and the preemption rule — when a P0 task is claimable and every working
/// device is running a batch, the least urgent preemptible batch pauses at its next sampler step.
public struct BatchScheduler: Service {
    /// A device and the runner that runs batches on it.
    public struct Lane: Sendable {
        /// The device the loop reads.
        public var device: any BatchDevice
        /// What runs batches on it.
        public var runner: any BatchRunner

        /// Pairs a device with its runner.
        public init(device: any BatchDevice, runner: any BatchRunner) {
            self.device = device
            self.runner = runner
        }
    }

    let store: any TaskStore
    let lanes: [Lane]
    let configuration: BatchingConfiguration
    let clock: MonotonicClock
    let logger: Logger
    /// What the scheduler did.
    public let counters: SchedulerCounters

    /// Whether to claim nothing now (asked before every claim).
    let claimsHeld: @Sendable () -> Bool

    /// Creates a scheduler over `lanes` whose windows, watchdog, renewals and shutdown grace run
    /// on `clock` (the system's monotonic clock by default); while `claimsHeld` answers true the
    /// loops claim no task (running batches go on).
    public init(
        store: any TaskStore, lanes: [Lane], configuration: BatchingConfiguration, counters: SchedulerCounters = SchedulerCounters(),
        clock: MonotonicClock = .continuous, claimsHeld: @escaping @Sendable () -> Bool = { false }, logger: Logger
    ) {
        self.claimsHeld = claimsHeld
        self.store = store
        self.lanes = lanes
        self.configuration = configuration
        self.counters = counters
        self.clock = clock
        self.logger = logger
    }

    /// Runs the device loops until cancelled or shut down gracefully. On graceful shutdown the
    /// loops claim and admit nothing more and running batches get
    /// ``BatchingConfiguration/shutdownGraceSeconds`` to finish; then what still runs is stopped
    /// and released to the queue (no attempt charged).
    public func run() async throws {
        let coordination = BatchCoordination(counters: counters, claimsHeld: claimsHeld)
        let doorbells = lanes.map { _ in Doorbell(clock: clock) }
        let grace = configuration.shutdownGraceSeconds
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await watchQueue(doorbells: doorbells, coordination: coordination) }
            group.addTask {
                await withDiscardingTaskGroup { loops in
                    for (lane, doorbell) in zip(lanes, doorbells) {
                        let loop = DeviceBatchLoop(
                            device: lane.device, runner: lane.runner, store: store, configuration: configuration,
                            coordination: coordination, doorbell: doorbell, clock: clock, logger: logger
                        )
                        loops.addTask { await loop.run() }
                    }
                }
            }
            group.addTask {
                // Returns once the grace period after a shutdown request ran out (or at once when cancelled).
                guard (try? await gracefulShutdown()) != nil else { return }
                try? await clock.sleep(for: .seconds(grace))
            }
            // The loops ended (shut down, or every device lost), or the grace period ran out.
            _ = await group.next()
            group.cancelAll()
        }
    }

    /// Rings every device when a task is queued, preempts for a waiting P0 task, and passes
    /// cancel requests of processing tasks to the devices (events come from every process).
    private func watchQueue(doorbells: [Doorbell], coordination: BatchCoordination) async {
        for await event in store.events() {
            if event.status == .processing, event.cancelRequested {
                coordination.noteCancel(event.taskID)
                continue
            }
            guard event.status == .queued else { continue }
            coordination.queuedEvents.add(1, ordering: .relaxed)
            for doorbell in doorbells { doorbell.ring() }
            await preemptIfNeeded(coordination)
        }
    }

    /// When every working device runs a batch and a P0 task is claimable, asks the device whose
    /// least urgent task is least urgent to make room at its next step.
    private func preemptIfNeeded(_ coordination: BatchCoordination) async {
        guard configuration.preemption.isEnabled else { return }
        let working = lanes.filter { $0.device.isOnline && !coordination.isQuarantined($0.device.name) }.count
        guard coordination.batches.busyCount >= working,
              (try? await store.hasClaimable(priority: .p0)) == true,
              let device = coordination.batches.requestRoom()
        else { return }
        logger.info("asking a device to make room for a P0 task", metadata: ["device": "\(device)"])
    }
}
