import Foundation
import Synchronization
import VideoGenXCore
import VideoGenXStore

/// The `estimated_time` of an accepted task: the 720P-frame-equivalents of it and of the tasks
/// queued ahead, times the seconds per unit measured on recent completions (0.05 s, measured
/// for 720P on this machine kind, until there is history).
struct TaskEstimate: Sendable {
    let store: any TaskStore
    /// The rendering rate, re-read from the store at most once a second.
    let rate: CompletionRate

    /// Seconds until `task`, with `ahead` tasks queued before it, is likely done.
    func seconds(for task: TaskRecord, ahead: Int) async throws -> Int {
        let perUnit = try await rate.secondsPerUnit(store)
        return Int((Double(ahead + 1) * Self.units(task.request) * perUnit).rounded(.up))
    }

    /// Work of a request in 720P-frame-equivalents.
    static func units(_ spec: GenerationSpec) -> Double {
        Double(spec.frameCount) * Double(spec.resolution.width * spec.resolution.height) / (1280 * 720)
    }
}

/// Seconds of rendering per 720P-frame-equivalent, from the last 20 completions, kept for a
/// second: every submission (and every read of a queued task) needs it, and reading and decoding
/// 20 tasks each time cost more than the insert itself.
final class CompletionRate: Sendable {
    private let cached = Mutex<(value: Double, readAt: ContinuousClock.Instant)?>(nil)
    private let maximumAge: Duration

    /// A rate re-read when older than `maximumAge`.
    init(maximumAge: Duration = .seconds(1)) {
        self.maximumAge = maximumAge
    }

    /// The rate (0.05 s per unit before anything has finished).
    func secondsPerUnit(_ store: any TaskStore) async throws -> Double {
        let now = ContinuousClock.now
        if let cached = cached.withLock({ $0 }), cached.readAt.duration(to: now) < maximumAge {
            return cached.value
        }
        var seconds = 0.0
        var units = 0.0
        for done in try await store.recentCompletions(limit: 20) {
            guard let started = done.startedAt, let finished = done.finishedAt else { continue }
            seconds += finished.timeIntervalSince(started)
            units += TaskEstimate.units(done.request)
        }
        let value = units > 0 ? seconds / units : 0.05
        cached.withLock { $0 = (value, now) }
        return value
    }
}

