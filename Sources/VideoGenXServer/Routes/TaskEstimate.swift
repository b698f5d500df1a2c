import Foundation
import VideoGenXCore
import VideoGenXStore

/// The `estimated_time` of an accepted task: the 720P-frame-equivalents of it and of the tasks
/// queued ahead, times the seconds per unit measured on recent completions (0.05 s, measured
/// for 720P on this machine kind, until there is history).
struct TaskEstimate: Sendable {
    let store: any TaskStore

    /// Seconds until `task` is likely done.
    func seconds(for task: TaskRecord) async throws -> Int {
        let ahead = try await store.queuePosition(of: task.id) ?? 0
        let recent = try await store.recentCompletions(limit: 20)
        var seconds = 0.0
        var units = 0.0
        for done in recent {
            guard let started = done.startedAt, let finished = done.finishedAt else { continue }
            seconds += finished.timeIntervalSince(started)
            units += Self.units(done.request)
        }
        let rate = units > 0 ? seconds / units : 0.05
        return Int((Double(ahead + 1) * Self.units(task.request) * rate).rounded(.up))
    }

    /// Work of a request in 720P-frame-equivalents.
    static func units(_ spec: GenerationSpec) -> Double {
        Double(spec.frameCount) * Double(spec.resolution.width * spec.resolution.height) / (1280 * 720)
    }
}
