import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import VideoGenXCore
import VideoGenXStore

/// `GET /api/v1/video/task/{id}/events`: Server-Sent Events of a task's status, stage and
/// progress. The task is read at most every 250 ms (≤ 4 events a second) and an event is sent
/// whenever it changed; the stream ends after the terminal state. Event ids are the task's
/// update time in Unix milliseconds, so a client reconnecting with `Last-Event-ID` gets the
/// current state at once if anything changed since, and misses nothing that matters (the stream
/// carries states, not a log). Reading the store, not in-process events, makes it work on any
/// API replica. A comment line every 15 s keeps idle connections open.
struct TaskEventStream: Sendable {
    let store: any TaskStore
    let view: @Sendable (TaskRecord) async throws -> TaskView
    /// Time between reads of the task. Default 0.25 s.
    var interval: Duration = .milliseconds(250)
    /// Time between keep-alive comments. Default 15 s.
    var keepAlive: Duration = .seconds(15)

    /// The streaming response for `task`, resuming after `lastEventID` when given.
    func response(for task: TaskRecord, lastEventID: Int64?) -> Response {
        let id = task.id
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                var sent = lastEventID ?? -1
                let clock = ContinuousClock()
                var lastWrite = clock.now
                while true {
                    guard let current = try await store.get(id) else { break }
                    let version = current.updatedAt.milliseconds
                    if version > sent {
                        let data = try Envelope.encoder.encode(try await view(current))
                        let event = current.status.isTerminal ? current.status.apiName : "progress"
                        try await writer.write(ByteBuffer(string: "id: \(version)\nevent: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                        sent = version
                        lastWrite = clock.now
                    } else if clock.now - lastWrite >= keepAlive {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = clock.now
                    }
                    // Ends at the terminal state, or when the server shuts down (the client reconnects
                    // elsewhere with Last-Event-ID).
                    if current.status.isTerminal || Task.isShuttingDownGracefully { break }
                    try await Task.sleep(for: interval)
                }
                try await writer.finish(nil)
            }
        )
    }
}
