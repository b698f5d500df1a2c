// A helper process for the store's crash tests: it works on a store (an SQLite file, or a
// PostgreSQL database when PATH is a postgres:// URL) until the test kills it with SIGKILL,
// printing (unbuffered) what it has been told is durable.
//
//   StoreCrashHelper create PATH   create tasks forever; print each id once `create` returned
//   StoreCrashHelper claim PATH    claim one task with a 1 s lease, print "id token", then hang
import Foundation
import Logging
import VideoGenXCore
import VideoGenXStore
import VideoGenXStorePostgres
import VideoGenXStoreSQLite

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: StoreCrashHelper create|claim PATH\n".utf8))
    exit(2)
}
let store: any TaskStore
if arguments[2].hasPrefix("postgres://") {
    let postgres = PostgresTaskStore(configuration: try PostgresStoreURL(arguments[2]).configuration(maximumConnections: 2), logger: Logger(label: "crash"))
    // The pool runs until the process is killed.
    Task { try await postgres.run() }
    store = postgres
} else {
    store = try SQLiteTaskStore(path: arguments[2])
}
let spec = try GenerationRequest(text: "crash test", params: .init(seed: 1)).validated()

switch arguments[1] {
case "create":
    var n = 0
    while true {
        let task = try await store.create(NewTask(userID: "crash", request: spec, priority: TaskPriority(rawValue: n % 4) ?? .p2))
        FileHandle.standardOutput.write(Data("\(task.task.id)\n".utf8))
        n += 1
    }
case "claim":
    while true {
        if let task = try await store.claim(worker: "doomed", capacity: 1, leaseSeconds: 1).first {
            FileHandle.standardOutput.write(Data("\(task.id) \(task.fencingToken)\n".utf8))
            while true {
                try await Task.sleep(for: .seconds(60))
            }
        }
        try await Task.sleep(for: .milliseconds(20))
    }
default:
    FileHandle.standardError.write(Data("unknown mode \(arguments[1])\n".utf8))
    exit(2)
}
