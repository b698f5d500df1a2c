import Foundation
import VideoGenXCore

extension TaskRecord {
    /// Moves to `next` if the state machine allows it, or throws `illegalTransition`.
    package mutating func transition(to next: TaskStatus, at now: Date) throws {
        guard status.canTransition(to: next) else {
            throw StoreError.illegal(id, from: status, to: next)
        }
        status = next
        updatedAt = now
        if next.isTerminal {
            finishedAt = now
            leaseOwner = nil
            leaseExpiresAt = nil
            cancelRequested = false
        }
        if next == .queued {
            leaseOwner = nil
            leaseExpiresAt = nil
            stage = "queued"
        }
    }
}
