import Logging
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// A device loop's side of one running batch (``BatchControl``): completes finished tasks at
/// once, refills free slots with claimable tasks of the batch key, makes room for a P0 task when
/// preemption asks, and keeps the members the watchdog and failure paths act on.
final class LoopControl: BatchControl {
    private struct State {
        var members: [TaskID: TaskRecord]
        var finishedThisStep = 0
        /// Whether the last refill claim got every slot it asked for (more may be queued).
        var mayHaveMore = true
        var queuedSeen: Int
        var pausingAll = false
        var deferred: [(TaskRecord, String)] = []
    }

    private let loop: DeviceBatchLoop
    /// The batch's first task: its key and memory estimate stand for every task of the batch.
    private let first: TaskRecord
    private var key: String { first.batchKey }
    private let cap: CapState
    private let state: Mutex<State>
    private let timer = Mutex(ContinuousClock.now)
    private let started = ContinuousClock.now

    init(loop: DeviceBatchLoop, batch: [TaskRecord], cap: CapState) {
        self.loop = loop
        first = batch[0]
        self.cap = cap
        state = Mutex(State(
            members: Dictionary(uniqueKeysWithValues: batch.map { ($0.id, $0) }),
            queuedSeen: loop.coordination.queuedEvents.load(ordering: .relaxed)
        ))
    }

    /// The tasks in the batch now.
    var members: [TaskRecord] { state.withLock { Array($0.members.values) } }
    /// When the last sampler step ended (or the batch started).
    var lastStep: ContinuousClock.Instant { timer.withLock { $0 } }
    /// Whether free places are still refilled (batching on, batch younger than ``BatchingConfiguration/refillSeconds``).
    private var isRefilling: Bool {
        loop.configuration.batching && ContinuousClock.now - started < .seconds(loop.configuration.refillSeconds)
    }
    /// Whether the whole batch was paused for a P0 of another key.
    var isPausingAll: Bool { state.withLock { $0.pausingAll } }

    func finished(_ task: TaskRecord, result: TaskResult) async {
        state.withLock { state in
            state.members[task.id] = nil
            state.finishedThisStep += 1
        }
        loop.coordination.counters.finishedTasks.add(1, ordering: .relaxed)
        do {
            _ = try await loop.store.complete(task.id, token: task.fencingToken, result: result)
        } catch {
            loop.logger.warning("completing a task failed", metadata: ["task.id": "\(task.id)", "error": "\(error)"])
        }
    }

    func afterStep(running: [TaskRecord]) async -> BatchChange {
        timer.withLock { $0 = .now }
        let counters = loop.coordination.counters
        let finished = state.withLock { state in
            defer { state.finishedThisStep = 0 }
            return state.finishedThisStep
        }
        counters.batchSteps.add(1, ordering: .relaxed)
        counters.taskSteps.add(running.count + finished, ordering: .relaxed)
        if finished > 0, isRefilling {
            // A turnover: report the device to the cap controller (not while draining: the batch
            // then shrinks by choice, and the controller would take it for a lack of work).
            cap.observe(utilisation: loop.device.utilisation, memory: loop.device.memoryFraction, full: running.count + finished >= cap.value)
        }
        loop.coordination.batches.update(loop.device.name, running: running, policy: loop.configuration.preemption)
        // The batch's places: the cap, within the device's free memory (the memory guard).
        let room = loop.memoryLimited(cap.value, for: first)
        if loop.coordination.batches.takeRequest(loop.device.name), let change = await makeRoomForP0(running: running, room: room) {
            return change
        }
        return BatchChange(admit: await refill(free: room - running.count))
    }

    func evicted(_ task: TaskRecord, checkpoint: String) async {
        let deferRelease = state.withLock { state in
            state.members[task.id] = nil
            if state.pausingAll { state.deferred.append((task, checkpoint)) }
            return state.pausingAll
        }
        if !deferRelease {
            await loop.release([task], checkpoints: [task.id: checkpoint])
        }
    }

    /// Releases the tasks of a whole-batch pause (after the loop claimed the P0).
    func releaseDeferred() async {
        let deferred = state.withLock { state in
            defer { state.deferred = [] }
            return state.deferred
        }
        for (task, checkpoint) in deferred {
            await loop.release([task], checkpoints: [task.id: checkpoint])
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
            loop.coordination.counters.preemptions.add(1, ordering: .relaxed)
            // Places that tasks finishing in this step left are refilled now too.
            let more = await refill(free: room - (running.count - evict.count) - 1)
            return BatchChange(evict: evict, admit: [urgent] + more)
        }
        guard !running.isEmpty, running.allSatisfy(policy.allows),
              (try? await loop.store.hasClaimable(priority: .p0)) == true
        else { return nil }
        state.withLock { $0.pausingAll = true }
        loop.coordination.counters.preemptions.add(1, ordering: .relaxed)
        loop.logger.info("batch paused for a P0 task of another batch key", metadata: ["device": "\(loop.device.name)", "batch.size": "\(running.count)"])
        return BatchChange(evict: Set(running.map(\.id)))
    }

    /// Continuous batching: claims up to `free` tasks of the key, when work may be waiting and
    /// the batch is younger than ``BatchingConfiguration/refillSeconds`` (then it drains, and the
    /// loop's next claim follows lane order, so one key cannot hold a device for ever).
    private func refill(free: Int) async -> [TaskRecord] {
        guard isRefilling, free > 0 else { return [] }
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
