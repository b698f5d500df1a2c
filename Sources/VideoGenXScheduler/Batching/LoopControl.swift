import Logging
import Metrics
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// A device loop's side of one running batch (``BatchControl``): completes finished tasks at
/// once, refills free slots with claimable tasks of the batch key, makes room for a P0 task when
/// preemption asks, and keeps the members the watchdog and failure paths act on.
final class LoopControl: BatchControl {
    private struct State {
        var members: [TaskID: TaskRecord]
        /// The tasks the last step boundary left running (those missing at the next one left the batch).
        var stepped: Set<TaskID>
        /// Whether the last refill claim got every slot it asked for (more may be queued).
        var mayHaveMore = true
        var queuedSeen: Int
        var pausingAll = false
        var deferred: [(TaskRecord, String?)] = []
        /// Progress not yet written, by task.
        var progress: [TaskID: (percent: Int, stage: String)] = [:]
        /// Tasks whose user asked to cancel them, or whose lease was lost, to stop at the next step.
        var cancelRequested: Set<TaskID> = []
        var leaseLost: Set<TaskID> = []
        /// Whether sampler steps still run (false once the runner has only encodes to finish).
        var stepping = true
        /// Whether the runner waits for opening members with none to step (no steps run).
        var waitingForMembers = false

        /// `id` left the batch for good: no more lease renewals or progress writes for it.
        mutating func forget(_ id: TaskID) {
            members[id] = nil
            progress[id] = nil
        }
    }

    private let loop: DeviceBatchLoop
    /// The batch's first task: its key and memory estimate stand for every task of the batch.
    private let first: TaskRecord
    private var key: String { first.batchKey }
    private let cap: CapState
    private let state: Mutex<State>
    private let timer: Mutex<MonotonicClock.Instant>
    private let started: MonotonicClock.Instant
    /// `videogenx_sampler_step_duration_seconds{model,device}`: time between step boundaries.
    private let stepTimer: Timer
    /// `videogenx_batch_size{device}`: tasks in each step.
    private let batchSize: Recorder

    init(loop: DeviceBatchLoop, batch: [TaskRecord], cap: CapState) {
        self.loop = loop
        first = batch[0]
        self.cap = cap
        started = loop.clock.now
        timer = Mutex(started)
        stepTimer = Timer(label: "videogenx_sampler_step_duration_seconds", dimensions: [("model", batch[0].model), ("device", loop.device.name)])
        batchSize = Recorder(label: "videogenx_batch_size", dimensions: [("device", loop.device.name)])
        state = Mutex(State(
            members: Dictionary(uniqueKeysWithValues: batch.map { ($0.id, $0) }), stepped: Set(batch.map(\.id)),
            queuedSeen: loop.coordination.queuedEvents.load(ordering: .relaxed)
        ))
    }

    /// The tasks in the batch now.
    var members: [TaskRecord] { state.withLock { Array($0.members.values) } }
    /// When the last sampler step ended (or the batch started).
    var lastStep: MonotonicClock.Instant { timer.withLock { $0 } }
    /// Whether free places are still refilled (batching on, batch younger than ``BatchingConfiguration/refillSeconds``).
    private var isRefilling: Bool {
        loop.configuration.batching && started.duration(to: loop.clock.now) < .seconds(loop.configuration.refillSeconds)
    }
    /// Whether the whole batch was paused for a P0 of another key.
    var isPausingAll: Bool { state.withLock { $0.pausingAll } }

    func finished(_ task: TaskRecord, result: TaskResult) async -> TaskStatus? {
        _ = state.withLock { state in
            state.members.removeValue(forKey: task.id)
        }
        loop.coordination.counters.finishedTasks.add()
        do {
            let completed = try await loop.store.complete(task.id, token: task.fencingToken, result: result)
            if completed.status == .cancelled {
                loop.logger.info("task cancelled at the user's request after its last step", metadata: ["task.id": "\(task.id)"])
            }
            return completed.status
        } catch {
            loop.logger.warning("completing a task failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
            return nil
        }
    }

    func holdsLease(_ task: TaskRecord) async -> Bool {
        do {
            let status = try await loop.store.heartbeat(task.id, token: task.fencingToken, leaseSeconds: loop.configuration.leaseSeconds)
            if status == .cancelRequested { _ = state.withLock { $0.cancelRequested.insert(task.id) } }
            return true
        } catch let error as StoreError where error.code == .staleLease {
            state.withLock { $0.forget(task.id) }
            loop.logger.warning("lease lost before the upload; another worker owns the task now, its files are left alone", metadata: ["task.id": "\(task.id)"])
            return false
        } catch {
            // The store unreachable: the upload goes ahead (to the spool if the object store is
            // out too); the completion is fenced by the token either way.
            return true
        }
    }

    func handedOff(_ task: TaskRecord) async {
        state.withLock { $0.forget(task.id) }
        loop.logger.info("task handed to the upload spool", metadata: ["task.id": "\(task.id)"])
    }

    func afterStep(running: [TaskRecord]) async -> BatchChange {
        let now = loop.clock.now
        let previous = timer.withLock { last in
            defer { last = now }
            return last
        }
        let counters = loop.coordination.counters
        // Tasks that left the batch's steps since the last boundary (finished sampling or failed;
        // a rendering runner completes them later, after their upload).
        let ids = Set(running.map(\.id))
        let finished = state.withLock { state in
            defer { state.stepped = ids }
            return state.stepped.subtracting(ids).count
        }
        counters.batchSteps.add()
        counters.taskSteps.add(running.count + finished)
        stepTimer.record(duration: previous.duration(to: now))
        batchSize.record(running.count + finished)
        if finished > 0, isRefilling {
            // A turnover: report the device to the cap controller (not while draining: the batch
            // then shrinks by choice, and the controller would take it for a lack of work).
            cap.observe(utilisation: loop.device.utilisation, memory: loop.device.memoryFraction, full: running.count + finished >= cap.value)
        }
        let stop = await stops(running: running)
        let running = running.filter { !stop.contains($0.id) }
        loop.coordination.batches.update(loop.device.name, running: running, policy: loop.configuration.preemption)
        // The batch's places: the cap, within the device's free memory (the memory guard).
        let room = loop.memoryLimited(cap.value, for: first)
        var change = BatchChange()
        if loop.coordination.batches.takeRequest(loop.device.name), let made = await makeRoomForP0(running: running, room: room) {
            change = made
        } else {
            change.admit = await refill(free: room - running.count)
        }
        change.stop = stop
        let next = ids.subtracting(stop).subtracting(change.evict).union(change.admit.map(\.id))
        state.withLock { state in
            state.stepped = next
            state.stepping = !next.isEmpty
        }
        return change
    }

    func evicted(_ task: TaskRecord, checkpoint: String?) async {
        let deferRelease = state.withLock { state in
            state.members[task.id] = nil
            if state.pausingAll { state.deferred.append((task, checkpoint)) }
            return state.pausingAll
        }
        if !deferRelease {
            await loop.release([task], checkpoints: checkpoint.map { [task.id: $0] } ?? [:])
        }
    }

    func failed(_ task: TaskRecord, failure: TaskFailure, retryable: Bool) async {
        state.withLock { $0.forget(task.id) }
        do {
            let updated = try await loop.store.fail(task.id, token: task.fencingToken, error: failure, retryable: retryable)
            loop.logger.error("task attempt failed", metadata: [
                "task.id": "\(task.id)", "error.code": "\(failure.code)", "error": "\(failure.message)",
                "task.status": "\(updated.status.rawValue)", "error.retryable": "\(retryable)",
            ])
        } catch {
            loop.logger.warning("recording a failure failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
        }
    }

    func progress(_ task: TaskRecord, percent: Int, stage: String) {
        state.withLock { $0.progress[task.id] = (percent, stage) }
    }

    func cancelRequested(_ task: TaskRecord) -> Bool {
        let noted = !loop.coordination.takeCancels(among: [task.id]).isEmpty
        return state.withLock { state in
            if noted { state.cancelRequested.insert(task.id) }
            return state.cancelRequested.contains(task.id)
        }
    }

    func cancelled(_ task: TaskRecord) async {
        state.withLock { state in
            state.forget(task.id)
            state.cancelRequested.remove(task.id)
        }
        do {
            _ = try await loop.store.confirmCancelled(task.id, token: task.fencingToken)
            loop.logger.info("task cancelled at the user's request before its upload", metadata: ["task.id": "\(task.id)"])
        } catch {
            loop.logger.warning("confirming a cancel failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
        }
    }

    /// Whether the runner still runs sampler steps (the step watchdog then applies).
    var isStepping: Bool { state.withLock { $0.stepping && !$0.waitingForMembers } }

    func waitingForMembers(_ waiting: Bool) {
        if !waiting {
            // The watchdog counts the next step from now, not from the step before the wait.
            let now = loop.clock.now
            timer.withLock { $0 = now }
        }
        state.withLock { $0.waitingForMembers = waiting }
    }

    /// Writes pending progress and renews every member's lease (when `renew`); remembers the
    /// tasks whose user asked to cancel them and those whose lease was lost, which the next
    /// step boundary stops.
    func report(renew: Bool, leaseSeconds: Double) async {
        let (members, pending) = state.withLock { state in
            defer { state.progress = [:] }
            return (state.members, state.progress)
        }
        for (id, task) in members {
            var statuses: [LeaseStatus] = []
            do {
                if let update = pending[id] {
                    statuses.append(try await loop.store.progress(id, token: task.fencingToken, percent: update.percent, stage: update.stage))
                }
                if renew {
                    // A progress write does not extend the lease; only a heartbeat does.
                    statuses.append(try await loop.store.heartbeat(id, token: task.fencingToken, leaseSeconds: leaseSeconds))
                }
            } catch let error as StoreError where error.code == .staleLease {
                _ = state.withLock { $0.leaseLost.insert(id) }
                continue
            } catch {
                continue
            }
            if statuses.contains(.cancelRequested) {
                _ = state.withLock { $0.cancelRequested.insert(id) }
            }
        }
    }

    /// Running tasks to stop at this step: cancelled ones are confirmed cancelled, lost ones
    /// dropped (another worker owns them).
    private func stops(running: [TaskRecord]) async -> Set<TaskID> {
        let ids = Set(running.map(\.id))
        let noted = loop.coordination.takeCancels(among: ids)
        let (cancelled, lost) = state.withLock { state in
            let cancelled = state.cancelRequested.union(noted).intersection(ids)
            let lost = state.leaseLost.intersection(ids)
            state.cancelRequested.subtract(cancelled)
            state.leaseLost.subtract(lost)
            for id in cancelled.union(lost) { state.members[id] = nil }
            return (cancelled, lost)
        }
        for task in running where cancelled.contains(task.id) {
            _ = try? await loop.store.confirmCancelled(task.id, token: task.fencingToken)
            loop.logger.info("task cancelled at the user's request", metadata: ["task.id": "\(task.id)"])
        }
        for id in lost {
            loop.logger.warning("lease lost; another worker owns the task now", metadata: ["task.id": "\(id)"])
        }
        return cancelled.union(lost)
    }

    /// Releases the tasks of a whole-batch pause (after the loop claimed the P0).
    func releaseDeferred() async {
        let deferred = state.withLock { state in
            defer { state.deferred = [] }
            return state.deferred
        }
        for (task, checkpoint) in deferred {
            await loop.release([task], checkpoints: checkpoint.map { [task.id: $0] } ?? [:])
        }
    }

    /// A P0 of this key joins (swapping out the least urgent preemptible task when the batch is
    /// full); failing that, a P0 of another key pauses the whole batch unless it holds a P0.
    private func makeRoomForP0(running: [TaskRecord], room: Int) async -> BatchChange? {
        let policy = loop.configuration.preemption
        if let urgent = await loop.claim(capacity: 1, filter: ClaimFilter(batchKey: key, priorities: [.p0])).first {
            var evict: Set<TaskID> = []
            if running.count >= room,
               let victim = running.filter(policy.allows).max(by: { ($0.priority.rawValue, $0.createdAt) < ($1.priority.rawValue, $1.createdAt) }) {
                evict = [victim.id]
            }
            state.withLock { $0.members[urgent.id] = urgent }
            loop.coordination.counters.preemptions.add()
            // Places that tasks finishing in this step left are refilled now too.
            let more = await refill(free: room - (running.count - evict.count) - 1)
            return BatchChange(evict: evict, admit: [urgent] + more)
        }
        guard !running.isEmpty, running.allSatisfy(policy.allows),
              (try? await loop.store.hasClaimable(priority: .p0)) == true
        else { return nil }
        state.withLock { $0.pausingAll = true }
        loop.coordination.counters.preemptions.add()
        loop.logger.info("batch paused for a P0 task of another batch key", metadata: ["device": "\(loop.device.name)", "batch.size": "\(running.count)"])
        return BatchChange(evict: Set(running.map(\.id)))
    }

    /// Continuous batching: claims up to `free` tasks of the key, when work may be waiting and
    /// the batch is younger than ``BatchingConfiguration/refillSeconds`` (then it drains, and the
    /// loop's next claim follows lane order, so one key cannot hold a device for ever).
    private func refill(free: Int) async -> [TaskRecord] {
        guard isRefilling, free > 0, !Task.isShuttingDownGracefully else { return [] }
        let queued = loop.coordination.queuedEvents.load(ordering: .relaxed)
        let worthAsking = state.withLock { state in
            state.mayHaveMore || state.queuedSeen != queued
        }
        guard worthAsking else { return [] }
        let claimed = await loop.claim(capacity: free, filter: ClaimFilter(batchKey: key))
        state.withLock { state in
            state.mayHaveMore = claimed.count == free
            state.queuedSeen = queued
            for task in claimed { state.members[task.id] = task }
        }
        return claimed
    }
}
