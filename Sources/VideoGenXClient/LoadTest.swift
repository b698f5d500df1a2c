import Foundation
import Synchronization
import VideoGenXCore

/// Drives a running server over its real HTTP API: `requests` submissions (or reads) with at
/// most `concurrency` in flight, timing each; optionally follows the first tasks to their end.
public struct LoadTest: Sendable {
    /// What each request does.
    public enum Operation: Sendable {
        /// `POST /api/v1/video/generate` with this JSON body.
        case submit(Data)
        /// `GET` of this path (signed when the test has credentials).
        case read(String)
    }

    /// Base URL of the server.
    public var server: URL
    /// Submissions in flight at once.
    public var concurrency: Int
    /// Submissions in all.
    public var requests: Int
    /// What each request does (submissions unless set otherwise).
    public var operation: Operation
    /// How many of the accepted tasks to follow to their end (0 = none).
    public var follow: Int
    /// The API key the requests are signed with.
    public var credentials: ClientCredentials?
    /// More api nodes of the same cluster: submissions go round-robin over ``server`` and these.
    /// Default none.
    public var otherServers: [URL] = []

    /// Creates a load test.
    public init(server: URL, concurrency: Int, requests: Int, body: Data, follow: Int, credentials: ClientCredentials? = nil) {
        self.credentials = credentials
        self.server = server
        self.concurrency = concurrency
        self.requests = requests
        operation = .submit(body)
        self.follow = follow
    }

    /// What the run measured.
    public struct Report: Sendable {
        /// Wall time of the submission phase.
        public var seconds: Double
        /// Requests answered 202 (or 200).
        public var accepted: Int
        /// Answers by HTTP status (0 = no answer).
        public var statuses: [Int: Int]
        /// Submission latencies in seconds, sorted.
        public var latencies: [Double]
        /// Seconds from submission to the end of each followed task, and its final status.
        public var completions: [(seconds: Double, status: String)]

        /// Accepted submissions per second.
        public var acceptedPerSecond: Double { Double(accepted) / max(seconds, 1e-9) }

        /// The latency at `fraction` (0–1), nearest rank.
        public func latency(_ fraction: Double) -> Double {
            latencies.nearestRank(fraction)
        }
    }

    /// Runs the test.
    public func run() async throws -> Report {
        let client = APIClient(baseURL: server, credentials: credentials)
        let nodes = [client] + otherServers.map { APIClient(baseURL: $0, credentials: credentials) }
        let clock = ContinuousClock()
        let start = clock.now
        let results = ResultLog()
        let operation = self.operation
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func launch() {
                let client = nodes[next % nodes.count]
                group.addTask {
                    let sent = clock.now
                    let reply: APIClient.Reply?
                    let id: String?
                    switch operation {
                    case .submit(let body):
                        reply = try? await client.send("POST", "/api/v1/video/generate", json: body)
                        // Decoded only when tasks are followed: decoding each task view cost this
                        // tool more CPU than the server spends answering, on the cores they share.
                        id = follow > 0 ? reply?.data?["task_id"] as? String : nil
                    case .read(let path):
                        // Not decoded, as above (and it would count on the task side of the ratio only).
                        reply = try? await client.send("GET", path)
                        id = nil
                    }
                    let latency = (clock.now - sent).seconds
                    results.append(Submission(status: reply?.status ?? 0, latency: latency, id: id, submitted: sent))
                }
            }
            while next < min(concurrency, requests) {
                launch()
                next += 1
            }
            while try await group.next() != nil {
                if next < requests {
                    launch()
                    next += 1
                }
            }
        }
        let elapsed = (clock.now - start).seconds
        let all = results.entries.withLock { $0 }
        var statuses: [Int: Int] = [:]
        for result in all {
            statuses[result.status, default: 0] += 1
        }
        let accepted = all.filter { $0.status == 202 || $0.status == 200 }
        var completions: [(Double, String)] = []
        for result in accepted.sorted(by: { $0.submitted < $1.submitted }).prefix(follow) {
            guard let id = result.id else { continue }
            while true {
                let reply = try await client.send("GET", "/api/v1/video/task/\(id)")
                let status = reply.data?["status"] as? String ?? "?"
                if ["succeeded", "failed", "cancelled", "?"].contains(status) {
                    completions.append(((clock.now - result.submitted).seconds, status))
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        return Report(
            seconds: elapsed, accepted: accepted.count, statuses: statuses,
            latencies: all.map(\.latency).sorted(), completions: completions
        )
    }
}

/// One submission of a load test.
private struct Submission: Sendable {
    var status: Int
    var latency: Double
    var id: String?
    var submitted: ContinuousClock.Instant
}

/// Submissions recorded by concurrent senders.
private final class ResultLog: Sendable {
    let entries = Mutex<[Submission]>([])

    func append(_ submission: Submission) {
        entries.withLock { $0.append(submission) }
    }
}
