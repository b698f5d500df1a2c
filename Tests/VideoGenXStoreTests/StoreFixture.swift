import Testing
import Foundation
import VideoGenXCore
import VideoGenXStore

/// The stores the contract suite runs against. PostgreSQL joins this list in its issue.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite

    var description: String { rawValue }
}

/// A fresh, empty store in a temporary directory, removed when the fixture goes away.
final class StoreFixture: Sendable {
    let directory: URL
    let clock: ManualWallClock
    let store: any TaskStore & CallbackOutbox

    init(_ kind: StoreKind, policy: QueuePolicy = QueuePolicy(), jitter: Double = 0.5) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = ManualWallClock()
        switch kind {
        case .sqlite:
            store = try SQLiteTaskStore(
                path: directory.appendingPathComponent("tasks.sqlite").path, clock: clock, policy: policy,
                durability: .normal, jitterUnit: { jitter }
            )
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A validated request for tests.
    static let spec: GenerationSpec = {
        do {
            return try GenerationRequest(text: "a red fox", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        } catch {
            preconditionFailure("the test request is valid: \(error)")
        }
    }()

    /// Creates a task for `user` with `priority`.
    @discardableResult
    func create(user: String = "alice", priority: TaskPriority = .p2, key: String? = nil, callback: String? = nil) async throws -> TaskRecord {
        try await store.create(NewTask(userID: user, request: Self.spec, priority: priority, idempotencyKey: key, callbackURL: callback)).task
    }

    /// Claims exactly one task, failing the test's expectation when there is none.
    func claimOne(worker: String = "w1", lease: Double = 30) async throws -> TaskRecord {
        guard let task = try await store.claim(worker: worker, capacity: 1, leaseSeconds: lease).first else {
            throw StoreError(.notFound, "nothing to claim")
        }
        return task
    }
}

/// Expects `body` to throw a ``StoreError`` with `code`.
func expectStoreError<T>(
    _ code: StoreError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async {
    do {
        _ = try await body()
        Issue.record("expected StoreError \(code.rawValue), but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected StoreError \(code.rawValue), got \(error)", sourceLocation: sourceLocation)
    }
}
