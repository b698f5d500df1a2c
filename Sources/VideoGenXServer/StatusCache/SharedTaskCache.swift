import Foundation
import VideoGenXCore
import VideoGenXStore

/// A second cache level that several API nodes share (Redis in cluster mode, `cache.url`):
/// behind each node's in-process ``TaskStatusCache``, before the task store. Implementations
/// handle their own outages: a failed read is a miss, a failed write is skipped, and both are
/// logged and counted, so a status read never fails because the shared cache is down.
public protocol SharedTaskCache: Sendable {
    /// What the shared cache holds for task `id`; `nil` when nothing (or unreachable).
    func entry(for id: TaskID) async -> SharedTaskEntry?
    /// Stores `entry` for `id` for `ttl` seconds.
    func store(_ entry: SharedTaskEntry, for id: TaskID, ttl: TimeInterval) async
    /// Forgets every task of `ids` (changes to them were reported), in one request where the
    /// cache allows.
    func remove(_ ids: [TaskID]) async
}

/// One shared cache entry: the task's record, or the knowledge that no such task exists.
public enum SharedTaskEntry: Sendable, Hashable {
    /// The store held this record.
    case found(TaskRecord)
    /// The store had no task of this id.
    case missing
}
