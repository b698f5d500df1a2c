import ArgumentParser
import Foundation
import VideoGenXBenchmarks
import VideoGenXPlatform

/// `videogenx loadtest`: submits through the real HTTP API and reports throughput and latency,
/// next to the task store's raw insert rate measured in the same run.
struct LoadTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Load a running server's submit path; report accepted/s, latency percentiles and errors.",
        discussion: "Only loopback servers are allowed: this is a local benchmark, not a traffic generator."
    )

    @Option(help: "Submissions in flight at once.")
    var concurrency = 64

    @Option(help: "Submissions in all.")
    var requests = 2000

    @Option(help: "Resolution of the submitted requests.")
    var resolution = "720P"

    @Option(help: "Duration of the submitted requests in seconds.")
    var duration = 15

    @Option(help: "Follow this many accepted tasks to their end and report their completion times.")
    var follow = 0

    @Option(name: .customLong("also-server"), help: "Another api node of the same cluster (repeatable): submissions go round-robin over --server and these.")
    var alsoServers: [String] = []

    @Flag(inversion: .prefixedNo, help: "Also measure plain SQLite inserting the same rows one transaction each (WAL, synchronous=FULL) on a temporary database, and print the API's ratio to it.")
    var compareStore = true

    @Option(name: .customLong("read"), help: "Instead of submitting, read this task (signed GET /api/v1/video/task/ID) and then GET /healthz as many times, and report both rates and their ratio.")
    var readTask: String?

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let client = try server.client()
        guard ["127.0.0.1", "localhost", "::1"].contains(client.baseURL.host ?? "") else {
            FileHandle.standardError.write(Data("error: --server: loadtest only targets loopback servers\n".utf8))
            throw ExitCode(2)
        }
        guard concurrency >= 1, requests >= 1, follow >= 0 else {
            FileHandle.standardError.write(Data("error: --concurrency and --requests must be positive\n".utf8))
            throw ExitCode(2)
        }
        var others: [URL] = []
        for text in alsoServers {
            guard let url = URL(string: text), ["127.0.0.1", "localhost", "::1"].contains(url.host ?? "") else {
                FileHandle.standardError.write(Data("error: --also-server: loadtest only targets loopback servers, got '\(text)'\n".utf8))
                throw ExitCode(2)
            }
            others.append(url)
        }
        if let readTask {
            try await compareReads(of: readTask, client: client)
            return
        }
        let body = Data(#"{"text":"load test","params":{"resolution":"\#(resolution)","duration":\#(duration),"steps":20}}"#.utf8)
        var test = LoadTest(
            server: client.baseURL, concurrency: concurrency, requests: requests, body: body, follow: follow, credentials: client.credentials
        )
        test.otherServers = others
        let report = try await test.run()
        print(String(
            format: "loadtest: %d api node(s), %d requests, concurrency %d: %d accepted in %.2f s = %.0f accepted/s; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms",
            1 + others.count, requests, concurrency, report.accepted, report.seconds, report.acceptedPerSecond,
            report.latency(0.5) * 1000, report.latency(0.95) * 1000, report.latency(0.99) * 1000
        ))
        print("statuses: " + report.statuses.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "no answer" : String($0.key)): \($0.value)" }.joined(separator: ", "))
        if !report.completions.isEmpty {
            let times = report.completions.map(\.seconds).sorted()
            print(String(format: "followed %d tasks: completion p50 %.1f s, max %.1f s; statuses %@", times.count, times[times.count / 2], times.last ?? 0,
                         Set(report.completions.map(\.status)).sorted().joined(separator: ",")))
        }
        if compareStore {
            let lines = try await StoreBenchmark(tasks: 2000, rounds: 1).run { _ in }
            if let insert = lines.first {
                // The baseline of issue 17: plain SQLite on this disk, one transaction per row,
                // WAL, synchronous=FULL (what the API would reach without group commit).
                print(String(format: "task store on this machine, same run: SQLiteTaskStore %.0f inserts/s one at a time; plain SQLite (one transaction per row, WAL, synchronous=FULL) %.0f rows/s; API/plain SQLite ratio %.2f",
                             insert.store.median, insert.raw.median, report.acceptedPerSecond / insert.raw.median))
            }
        }
    }

    /// `--read`: signed reads of one task against `/healthz` of the same server, same client.
    private func compareReads(of id: String, client: APIClient) async throws {
        var reads = LoadTest(server: client.baseURL, concurrency: concurrency, requests: requests, body: Data(), follow: 0, credentials: client.credentials)
        reads.operation = .read("/api/v1/video/task/\(id)")
        var health = LoadTest(server: client.baseURL, concurrency: concurrency, requests: requests, body: Data(), follow: 0)
        health.operation = .read("/healthz")
        let read = try await reads.run()
        let healthz = try await health.run()
        for (name, report) in [("GET task (signed)", read), ("GET /healthz", healthz)] {
            print(String(
                format: "%@: %d requests, concurrency %d: %d ok in %.2f s = %.0f/s; latency p50 %.1f ms, p99 %.1f ms; statuses %@",
                name, requests, concurrency, report.accepted, report.seconds, report.acceptedPerSecond, report.latency(0.5) * 1000,
                report.latency(0.99) * 1000, report.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            ))
        }
        print(String(format: "ratio task/healthz %.3f", read.acceptedPerSecond / max(healthz.acceptedPerSecond, 1e-9)))
    }
}
