import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension APIClient {
    /// A reply that is not the event stream (unknown task, server error).
    public struct StreamRefused: Error {
        /// The server's answer.
        public var reply: Reply
    }

    /// Follows `GET /api/v1/video/task/{id}/events` (Server-Sent Events) until the task ends,
    /// calling `onEvent` with each event's `data` (the task as JSON). A dropped connection is
    /// resumed with `Last-Event-ID`, up to `reconnects` times in a row, one second apart.
    /// - Returns: the data of the terminal event.
    /// - Throws: ``StreamRefused`` when the server answers anything but the stream; the last
    ///   connection error when reconnecting gives up.
    public func followEvents(_ id: String, reconnects: Int = 10, onEvent: (Data) -> Void) async throws -> Data {
        var lastEventID: String?
        var failures = 0
        while true {
            let url = Self.url(baseURL, "/api/v1/video/task/\(id)/events")
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "accept", value: "text/event-stream")
            for (name, value) in signatureHeaders(method: "GET", url: url, body: Data()) {
                request.headers.add(name: name, value: value)
            }
            if let lastEventID { request.headers.add(name: "last-event-id", value: lastEventID) }
            do {
                let response = try await Self.httpClient.execute(request, timeout: .hours(24))
                guard response.status == .ok else {
                    let body = try await response.body.collect(upTo: 1 << 20)
                    throw StreamRefused(reply: Reply(status: Int(response.status.code), body: Data(body.readableBytesView)))
                }
                var parser = ServerSentEventParser()
                for try await chunk in response.body {
                    for event in parser.consume(chunk.readableBytesView) {
                        failures = 0
                        if let eventID = event.id { lastEventID = eventID }
                        let data = Data(event.data.utf8)
                        onEvent(data)
                        if ["succeeded", "failed", "cancelled"].contains(event.event ?? "") { return data }
                    }
                }
            } catch let refused as StreamRefused {
                throw refused
            } catch {
                failures += 1
                if failures > reconnects { throw error }
            }
            // The stream ended early (server restart, proxy timeout): resume where it stopped.
            try await Task.sleep(for: .seconds(1))
        }
    }
}
