import Foundation
import GRDB
import Testing
@testable import VideoGenXStoreSQLite

/// SQLite's group commit: writes that arrive together share a transaction, and each keeps its own
/// outcome.
@Suite("Group commit writer")
struct GroupCommitWriterTests {
    private struct Refused: Error {}

    @Test("In one batch a failed write leaves nothing: with a savepoint its rows are rolled back, without one a failed statement undoes itself; the other writes commit")
    func failuresStayTheirOwn() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gcw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let pool = try DatabasePool(path: directory.appendingPathComponent("w.sqlite").path)
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
            try db.execute(sql: "CREATE TABLE log (k INTEGER)")
            // Every row of t also writes a row of log: a trigger's change is part of its statement.
            try db.execute(sql: "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (NEW.k); END")
        }
        let writer = GroupCommitWriter(pool: pool)
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for k in 0..<60 {
                group.addTask {
                    do {
                        switch k % 3 {
                        case 0:
                            // Inserts, then fails: its savepoint rolls the row back.
                            try await writer.write { db in
                                try db.execute(sql: "INSERT INTO t VALUES (?, 'x')", arguments: [k])
                                throw Refused()
                            }
                        case 1:
                            // No savepoint; the statement itself fails (NOT NULL) after its trigger could run.
                            try await writer.write(savepoint: false) { db in
                                try db.execute(sql: "INSERT INTO t VALUES (?, NULL)", arguments: [k])
                            }
                        default:
                            try await writer.write(savepoint: k % 2 == 0) { db in
                                try db.execute(sql: "INSERT INTO t VALUES (?, 'ok')", arguments: [k])
                            }
                        }
                        return (k, true)
                    } catch {
                        return (k, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter(\.value).keys.sorted() == Array(stride(from: 2, to: 60, by: 3)))
        let (rows, logged) = try await pool.read { db in
            (try Int.fetchAll(db, sql: "SELECT k FROM t ORDER BY k"), try Int.fetchAll(db, sql: "SELECT k FROM log ORDER BY k"))
        }
        #expect(rows == Array(stride(from: 2, to: 60, by: 3)))
        #expect(logged == rows)
        #expect(writer.committed.writes == 60)
    }

    @Test("Both SQLite stores keep statement journals in memory, on the writer and on readers (a group transaction's journal would otherwise spill to a temporary file)")
    func statementJournalsStayInMemory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gcw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tasks = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path)
        let credentials = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        for pool in [tasks.pool, credentials.pool] {
            // 2 = MEMORY (0 = the compile-time default, a file here).
            #expect(try await pool.write { try Int.fetchOne($0, sql: "PRAGMA temp_store") } == 2)
            #expect(try await pool.read { try Int.fetchOne($0, sql: "PRAGMA temp_store") } == 2)
        }
    }
}
