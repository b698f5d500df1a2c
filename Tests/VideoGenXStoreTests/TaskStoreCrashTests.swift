import Foundation
import Logging
import Subprocess
import SystemPackage
import Testing
import VideoGenXCore
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXStoreSQLite
import VideoGenXTestSupport

/// Durability against SIGKILL, with a real second process (`StoreCrashHelper`) and the real
/// clock (the helper's leases are in wall-clock time), on both drivers.
@Suite("TaskStore crash safety", .timeLimit(.minutes(2)))
final class TaskStoreCrashTests {
    let directory: URL
    var path: String { directory.appendingPathComponent("tasks.sqlite").path }

    /// Where the helper and the test meet: the SQLite file, or a fresh PostgreSQL database.
    func location(_ kind: StoreKind) async throws -> String {
        switch kind {
        case .sqlite: path
        case .postgres: try await PostgresTestServer.makeDatabase().url
        }
    }

    /// A store on `location` (opened anew: what a restarted process sees), running until the test ends.
    func open(_ location: String) throws -> any TaskStore {
        guard location.hasPrefix("postgres://") else { return try SQLiteTaskStore(path: location) }
        let store = PostgresTaskStore(configuration: try PostgresStoreURL(location).configuration(maximumConnections: 2), logger: Logger(label: "test"))
        running.append(Task { try? await store.run() })
        return store
    }

    private var running: [Task<Void, Never>] = []

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        for task in running { task.cancel() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// The helper binary `swift test` builds beside the tests.
    static let helper: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/StoreCrashHelper").path
    }()

    /// Runs the helper in `mode`, collects the lines it prints until `enough` says stop, then
    /// kills it with SIGKILL. Returns the lines.
    private func runHelperUntilKilled(_ mode: String, at location: String, enough: @escaping @Sendable ([String]) -> Bool) async throws -> [String] {
        let result = try await Subprocess.run(
            .path(FilePath(Self.helper)), arguments: [mode, location],
            input: .none, output: .sequence, error: .discarded
        ) { execution in
            var lines: [String] = []
            for try await line in execution.standardOutput.strings() {
                lines.append(line)
                if enough(lines) {
                    try execution.send(signal: .kill)
                    break
                }
            }
            return lines
        }
        #expect(result.terminationStatus == .signaled(SIGKILL))
        return result.closureResult
    }

    @Test("Every task whose create returned is in the database after the creator is SIGKILLed", arguments: StoreKind.allCases)
    func createSurvivesKill(kind: StoreKind) async throws {
        let location = try await location(kind)
        let printed = try await runHelperUntilKilled("create", at: location) { $0.count >= 300 }
        let store = try open(location)
        var missing: [String] = []
        for line in printed {
            guard let id = TaskID(rawValue: line) else {
                Issue.record("helper printed \(line)")
                continue
            }
            if try await store.get(id) == nil {
                missing.append(line)
            }
        }
        #expect(printed.count >= 300)
        #expect(missing.isEmpty, "lost after SIGKILL: \(missing)")
    }

    @Test("A task whose claimer is SIGKILLed is claimable again after its lease expires, and completes", arguments: StoreKind.allCases)
    func claimSurvivesKill(kind: StoreKind) async throws {
        let location = try await location(kind)
        let store = try open(location)
        let spec = try GenerationRequest(text: "x", params: .init(seed: 1)).validated()
        let task = try await store.create(NewTask(userID: "u", request: spec)).task
        let printed = try await runHelperUntilKilled("claim", at: location) { !$0.isEmpty }
        let parts = try #require(printed.first?.split(separator: " "))
        #expect(parts.first.map(String.init) == task.id.rawValue)
        #expect(try await store.get(task.id)?.status == .processing)
        #expect(try await store.claim(worker: "w2", capacity: 1, leaseSeconds: 30).isEmpty, "still leased by the dead claimer")

        try await Task.sleep(for: .milliseconds(1100))
        let reaped = try await store.reapExpiredLeases(now: Date())
        #expect(reaped.map(\.id) == [task.id])
        let again = try #require(try await store.claim(worker: "w2", capacity: 1, leaseSeconds: 30).first)
        #expect(again.id == task.id && again.attempt == 1)
        let done = try await store.complete(again.id, token: again.fencingToken, result: TaskResult(
            videoKey: "v", durationSeconds: 1, width: 1, height: 1, fps: 1, codec: "hevc", sizeBytes: 1
        ))
        #expect(done.status == .succeeded)
    }
}
