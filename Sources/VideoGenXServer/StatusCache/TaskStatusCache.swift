import Foundation
import ServiceLifecycle
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// Task records for status reads (`GET /task/{id}`, `/content`, the first frame of `/events`),
/// cached in process: a bounded LRU, emptied of a task as soon as the store reports a change to it
/// (this process's changes at once; other processes' by LISTEN/NOTIFY on PostgreSQL, by the
/// change poll on SQLite), so a node never serves a status older than a change it was told about.
/// Unknown ids are remembered as missing for `negativeTTL`; a new task's creation event clears
/// that at once. Every entry also lives at most its TTL (±10 %, against stampedes), a bound for
/// changes no event reports (a result expired by retention). Queue positions and result URLs are
/// not cached: the presenter computes and signs them for every response.
///
/// With a ``SharedTaskCache`` (Redis, `cache.url`), a miss here asks it before the store, and a
/// record read from the store is offered to it; every node removes a task from it on each event
/// it hears, and a fill is undone when an event arrived while it was written.
///
/// Run it as a service of the API's group: ``run()`` consumes the store's events.
public final class TaskStatusCache: Service, Sendable {
    private enum Entry {
        case found(CachedTask, expires: Date)
        case missing(expires: Date)
    }

    private struct State {
        var entries: LRUDictionary<TaskID, Entry>
        /// Events seen so far (a counter).
        var generation: UInt64 = 0
        /// The generation of the latest event per task, for tasks changed recently.
        var changed: [TaskID: UInt64] = [:]
        /// Changes at or below this generation have been forgotten (`changed` was cleared).
        var forgottenThrough: UInt64 = 0
    }

    /// The most tasks held.
    public let capacity: Int
    private let store: any TaskStore
    private let clock: any WallClock
    private let ttl: TimeInterval
    private let negativeTTL: TimeInterval
    private let state: Mutex<State>
    private let events: AsyncStream<TaskEvent>
    private let shared: (any SharedTaskCache)?
    private let handled = Atomic<Int>(0)
    /// Most recently changed tasks remembered to reject stale fills.
    private static let changedMemory = 4096

    /// A cache of at most `capacity` tasks over `store`, subscribed to its events from now on.
    public init(
        store: any TaskStore, capacity: Int, ttl: TimeInterval = 60, negativeTTL: TimeInterval = 300, clock: any WallClock = SystemWallClock(),
        shared: (any SharedTaskCache)? = nil
    ) {
        self.store = store
        self.shared = shared
        self.capacity = max(capacity, 1)
        self.clock = clock
        self.ttl = ttl
        self.negativeTTL = negativeTTL
        state = Mutex(State(entries: LRUDictionary(capacity: max(capacity, 1))))
        events = store.events()
    }

    /// A cached task: its record and, unless queued, its response template.
    struct CachedTask: Sendable {
        var record: TaskRecord
        var template: TaskViewTemplate? = nil
    }

    /// The task `id` (`nil` when the store has none), from the cache when it holds a live entry.
    public func record(_ id: TaskID) async throws -> TaskRecord? {
        try await lookup(id)?.record
    }

    /// ``record(_:)`` with the task's response template (built once per cached record).
    func lookup(_ id: TaskID) async throws -> CachedTask? {
        let now = clock.now()
        let (hit, generation): (Entry?, UInt64) = state.withLock { state in
            guard let entry = state.entries.value(for: id) else { return (nil, state.generation) }
            switch entry {
            case .found(_, let expires), .missing(let expires):
                if expires > now { return (entry, state.generation) }
                state.entries.remove(id)
                return (nil, state.generation)
            }
        }
        switch hit {
        case .found(let cached, _): return cached
        case .missing: return nil
        case nil: break
        }
        let record: TaskRecord?
        var fromShared = false
        switch await shared?.entry(for: id) {
        case .found(let sharedRecord):
            record = sharedRecord
            fromShared = true
        case .missing:
            record = nil
            fromShared = true
        case nil:
            record = try await store.get(id)
        }
        let cached = record.map { CachedTask(record: $0, template: TaskViewTemplate($0)) }
        let lifetime = (cached == nil ? negativeTTL : ttl) * Double.random(in: 0.9...1.1)
        let entry: Entry = cached.map { .found($0, expires: now.addingTimeInterval(lifetime)) } ?? .missing(expires: now.addingTimeInterval(lifetime))
        // A change reported while the store was read may be newer than what was read.
        let current = state.withLock { state in
            guard Self.unchanged(id, since: generation, in: state) else { return false }
            state.entries.set(entry, for: id)
            return true
        }
        if current, let shared, !fromShared {
            await shared.store(record.map(SharedTaskEntry.found) ?? .missing, for: id, ttl: lifetime)
            // An event heard while it was written may have removed the shared entry before the
            // write landed: remove it again (every node removes on every event it hears).
            if !isCurrent(id, since: generation) { await shared.remove([id]) }
        }
        return cached
    }

    /// Whether no change to `id` has been reported since `generation`.
    private func isCurrent(_ id: TaskID, since generation: UInt64) -> Bool {
        state.withLock { Self.unchanged(id, since: generation, in: $0) }
    }

    private static func unchanged(_ id: TaskID, since generation: UInt64, in state: State) -> Bool {
        generation >= state.forgottenThrough && (state.changed[id] ?? 0) <= generation
    }

    /// Store events handled so far (the task dropped here and from the shared level).
    package var changesSeen: Int { handled.load(ordering: .relaxed) }

    /// Drops task `id` (a change to it was reported).
    public func invalidate(_ id: TaskID) {
        state.withLock { state in
            state.generation += 1
            if state.changed.count >= Self.changedMemory {
                state.changed.removeAll(keepingCapacity: true)
                state.forgottenThrough = state.generation
            }
            state.changed[id] = state.generation
            state.entries.remove(id)
        }
    }

    /// Follows the store's task events until cancelled or shut down. With a shared level, the
    /// tasks changed while one removal from it is on its way go in the next (one `DEL` for many
    /// in Redis, not a round trip per event: a submission's creation event is one too).
    public func run() async throws {
        guard let shared else {
            for await event in events.cancelOnGracefulShutdown() {
                invalidate(event.taskID)
                handled.add(1, ordering: .relaxed)
            }
            return
        }
        let pending = PendingRemovals()
        await withDiscardingTaskGroup { group in
            group.addTask {
                await pending.consume { ids in
                    await shared.remove(ids)
                    // A read here between the two steps may have refilled this node from the
                    // shared copy the delete was about to remove: forget the tasks once more.
                    for id in ids { self.invalidate(id) }
                    self.handled.add(ids.count, ordering: .relaxed)
                }
            }
            for await event in events.cancelOnGracefulShutdown() {
                invalidate(event.taskID)
                pending.add(event.taskID)
            }
            pending.finish()
        }
    }
}

/// Tasks waiting to be removed from the shared cache level, handed out in batches: one removal
/// takes everything that arrived while the one before was on its way (at most `batchLimit`).
final class PendingRemovals: Sendable {
    /// Tasks removed in one request at most.
    static let batchLimit = 512
    private let ids = Mutex<[TaskID]>([])
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    init() {
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `id` for removal.
    func add(_ id: TaskID) {
        ids.withLock { $0.append(id) }
        wake.yield()
    }

    /// No more tasks will come: ``consume(_:)`` hands out what is left, then returns.
    func finish() {
        wake.finish()
    }

    /// Hands the queued tasks to `remove` batch by batch, each call's batch being what arrived
    /// while the one before ran, until ``finish()`` and empty. One consumer only.
    func consume(_ remove: ([TaskID]) async -> Void) async {
        for await _ in wakes {
            await drain(remove)
        }
        await drain(remove)
    }

    /// Hands out batches until the queue is empty.
    private func drain(_ remove: ([TaskID]) async -> Void) async {
        while case let batch = take(), !batch.isEmpty { await remove(batch) }
    }

    /// Up to ``batchLimit`` of the queued tasks, oldest first, taken off the queue.
    private func take() -> [TaskID] {
        ids.withLock { ids in
            let batch = Array(ids.prefix(Self.batchLimit))
            ids.removeFirst(batch.count)
            return batch
        }
    }
}
