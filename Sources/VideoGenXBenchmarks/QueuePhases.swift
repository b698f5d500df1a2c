import VideoGenXClient
import VideoGenXCore
import VideoGenXPlatform

/// The timed phases of the store benchmarks, the same for a store and for its raw statements:
/// `tasks` inserts, `tasks` claims of one, completing what was claimed, `tasks` more inserts,
/// then claims of eight until they are taken. Answers operations per second of each phase
/// (the last in tasks per second).
struct QueuePhases<Claimed: Sendable> {
    /// Tasks per phase.
    let tasks: Int
    /// Inserts the `n`-th task (its priority is `n % 4`).
    let insert: (Int) async throws -> Void
    /// Claims up to the given number of tasks.
    let claim: (Int) async throws -> [Claimed]
    /// Completes a claimed task.
    let complete: (Claimed) async throws -> Void

    /// Runs the phases in order.
    func measure() async throws -> [Double] {
        let clock = ContinuousClock()
        func rate(_ count: Int, since start: ContinuousClock.Instant) -> Double {
            Double(count) / (clock.now - start).seconds
        }
        var start = clock.now
        for i in 0..<tasks {
            try await insert(i)
        }
        let inserts = rate(tasks, since: start)
        start = clock.now
        var claimed: [Claimed] = []
        for _ in 0..<tasks {
            claimed += try await claim(1)
        }
        let claims = rate(claimed.count, since: start)
        start = clock.now
        for task in claimed {
            try await complete(task)
        }
        let completes = rate(claimed.count, since: start)
        for i in 0..<tasks {
            try await insert(i)
        }
        start = clock.now
        var batched = 0
        while batched < tasks {
            let got = try await claim(8).count
            guard got > 0 else { break }
            batched += got
        }
        return [inserts, claims, completes, rate(batched, since: start)]
    }
}
