import HTTPTypes
import Foundation
import VideoGenXCore
import VideoGenXStore

/// `Prefer: wait=N` on a submission (RFC 7240): the answer waits up to N seconds for the task's
/// end state.
struct TaskWaiter: Sendable {
    let store: any TaskStore

    /// `Prefer: wait=N`, N 0–60 seconds; `nil` without it.
    /// - Throws: ``APIError`` 400 for a malformed or too long wait.
    static func preferredWait(_ header: String?) throws -> Double? {
        guard let header else { return nil }
        for preference in header.split(separator: ",") {
            let parts = preference.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "wait" else { continue }
            guard let seconds = Double(parts[1].trimmingCharacters(in: .whitespaces)), (0...60).contains(seconds) else {
                throw APIError.invalid([FieldIssue(field: "header.Prefer", reason: "wait must be 0–60 seconds, got '\(parts[1])'")])
            }
            return seconds
        }
        return nil
    }

    /// The task once it is terminal, polling every 250 ms for up to `seconds`; `nil` on time-out.
    func waitForEnd(of id: TaskID, seconds: Double) async throws -> TaskRecord? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            if let task = try await store.get(id), task.status.isTerminal { return task }
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(250))
        }
    }
}
