import Foundation
import Synchronization
import Testing
import VideoGenXCore
@testable import VideoGenXServer

/// How the status cache batches its removals from the shared level (Redis): every changed task
/// removed, those changed during one removal in the next.
@Suite("Shared-cache removals in batches")
struct PendingRemovalsTests {
    private static func ids(_ count: Int) -> [TaskID] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in TaskID.make(at: Date(), using: &generator) }
    }

    @Test("Tasks queued while a removal runs go in the next one, together; all are handed out once, in order, after finish")
    func batchesWhatArrivesMeanwhile() async {
        let pending = PendingRemovals()
        let tasks = Self.ids(1 + 5 + PendingRemovals.batchLimit + 3)
        let batches = Mutex<[[TaskID]]>([])
        let firstStarted = AsyncStream.makeStream(of: Void.self)
        let releaseFirst = AsyncStream.makeStream(of: Void.self)
        async let consumed: Void = pending.consume { batch in
            let isFirst = batches.withLock { $0.append(batch); return $0.count == 1 }
            if isFirst {
                firstStarted.continuation.yield()
                var release = releaseFirst.stream.makeAsyncIterator()
                _ = await release.next()
            }
        }
        pending.add(tasks[0])
        var started = firstStarted.stream.makeAsyncIterator()
        _ = await started.next()
        // While the first removal is on its way: five, then more than one batch holds.
        for id in tasks[1...] { pending.add(id) }
        pending.finish()
        releaseFirst.continuation.yield()
        await consumed
        let handedOut = batches.withLock { $0 }
        #expect(handedOut.map(\.count) == [1, PendingRemovals.batchLimit, 5 + 3])
        #expect(handedOut.flatMap { $0 } == tasks)
    }
}
