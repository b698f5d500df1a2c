import Testing
import Foundation
import Logging
import PostgresNIO
import Synchronization
import VideoGenXCore
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXStoreSQLite
import VideoGenXTestSupport
import VideoGenXStoreSQLite

/// The stores the contract suite runs against. PostgreSQL runs when the test run has a server
/// (`scripts/with-postgres.sh`, which `make test` uses) and always in CI.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    /// The kinds this run tests.
    static var allCases: [StoreKind] { PostgresTestServer.enabled ? [.sqlite, .postgres] : [.sqlite] }

    var description: String { rawValue }
}

/// A fresh, empty store in a temporary directory, removed when the fixture goes away.
final class StoreFixture: Sendable {
    let directory: URL
    let clock: ManualWallClock
    let store: any TaskStore & CallbackOutbox
    /// The PostgreSQL store's service (pool and listener), cancelled with the fixture.
    private let running: Task<Void, Never>?
    /// The PostgreSQL fixture's database, for tests that read it directly.
    let postgres: PostgresClient.Configuration?

    init(_ kind: StoreKind, policy: QueuePolicy = QueuePolicy(), jitter: Double = 0.5) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = ManualWallClock()
        switch kind {
        case .sqlite:
            store = try SQLiteTaskStore(
                path: directory.appendingPathComponent("tasks.sqlite").path, clock: clock, policy: policy,
                durability: .normal, jitterUnit: { jitter }
            )
            running = nil
            postgres = nil
        case .postgres:
            let database = try await PostgresTestServer.makeDatabase()
            // A generous deadline: these tests check outcomes, and 64 contending submissions on a
            // machine busy with every other suite took over the default 5 s (the deadline itself:
            // ClusterTests stops PostgreSQL mid-run and sees 503s, never a hang).
            let postgres = PostgresTaskStore(
                configuration: database.configuration, clock: clock, policy: policy, operationTimeout: .seconds(30),
                logger: Logger(label: "test.store"), jitterUnit: { jitter }
            )
            store = postgres
            running = Task { try? await postgres.run() }
            self.postgres = database.configuration
        }
    }

    /// A second store on the same file or database, as a restarted process opens it (same
    /// clock); it runs until the fixture goes away.
    func reopen() throws -> any TaskStore & CallbackOutbox {
        if let postgres {
            let store = PostgresTaskStore(configuration: postgres, clock: clock, logger: Logger(label: "test.store"))
            reopened.withLock { $0.append(Task { try? await store.run() }) }
            return store
        }
        return try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path, clock: clock, durability: .normal)
    }

    private let reopened = Mutex<[Task<Void, Never>]>([])

    deinit {
        running?.cancel()
        reopened.withLock { $0.forEach { $0.cancel() } }
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
