import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import VideoGenXClient
import VideoGenXCore
import VideoGenXObjects
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXStore
import VideoGenXStoreSQLite

/// The cost of authentication and rate limiting: the same `GET /api/v1/video/task/{id}` load
/// against two copies of the API in this process, on loopback and one store — one without
/// authentication, one checking signatures, nonces (a durable insert each) and the GCRA limit —
/// in alternating rounds. Reports requests per second of each and their ratio (target ≥ 0.8).
public struct AuthBenchmark: Sendable {
    /// Requests per round and side. Default 4,000.
    public var requests: Int
    /// Requests in flight at once. Default 32.
    public var concurrency: Int
    /// Rounds per side; medians are reported. Default 3.
    public var rounds: Int

    /// Creates the benchmark; defaults as documented on each property.
    public init(requests: Int = 4000, concurrency: Int = 32, rounds: Int = 3) {
        self.requests = requests
        self.concurrency = concurrency
        self.rounds = rounds
    }

    /// Medians of both sides.
    public struct Report: Sendable {
        /// Requests per second without authentication, each round.
        public var open: [Double]
        /// Requests per second with signatures and rate limits, each round.
        public var authenticated: [Double]
        /// Non-200 answers seen (should be 0).
        public var errors: Int

        /// Median of `values`.
        public static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }

        /// authenticated / open, of the medians.
        public var ratio: Double { Self.median(authenticated) / max(Self.median(open), 1e-9) }
    }

    /// Runs the benchmark; `progress` receives a line per round.
    public func run(progress: @Sendable (String) -> Void) async throws -> Report {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-authbench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteTaskStore(path: directory.appendingPathComponent("tasks.sqlite").path)
        let signer = try URLSigner(secret: Array(repeating: 1, count: 32))
        let objects = try FileObjectStore(root: directory.appendingPathComponent("objects"), publicBaseURL: "http://127.0.0.1", signer: signer)
        let credentials = try SQLiteCredentialStore(path: directory.appendingPathComponent("credentials.sqlite").path)
        let box = SecretBox(key: Array(repeating: 2, count: 32))
        let (key, secret) = try await APIKeyIssuer(credentials: credentials, secrets: box).issue(userID: Identity.local.userID, tier: .admin, name: "bench")
        let spec = try GenerationRequest(text: "benchmark", params: .init(resolution: "720P", duration: 15, steps: 20, seed: 1)).validated()
        let task = try await store.create(NewTask(userID: Identity.local.userID, request: spec)).task
        // The limit is checked on every request but set high enough never to refuse: this
        // measures the cost of the checks, not throttling.
        var configuration = ServerConfiguration()
        configuration.tiers[.admin] = TierPolicy(requestsPerSecond: 1e9, burst: 1_000_000_000, resolutions: Resolution.allCases, priorities: 0...3, customWatermark: true)
        configuration.maxInFlight = 10_000
        let open = VideoAPI(store: store, objects: objects, signer: signer, configuration: configuration)
        let guarded = VideoAPI(
            store: store, objects: objects, signer: signer, configuration: configuration,
            authenticator: APIKeyAuthenticator(credentials: credentials, secrets: box)
        )
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let ports = AsyncStream<Int>.makeStream()
        let apps = [open, guarded].map { api in
            Application(
                router: api.buildRouter(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { ports.continuation.yield($0.localAddress?.port ?? 0) }, logger: quiet
            )
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for app in apps {
                group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            }
            var iterator = ports.stream.makeAsyncIterator()
            var bound: [Int] = []
            while bound.count < 2, let port = await iterator.next() { bound.append(port) }
            // Which port is which does not matter for the open side; find the guarded one by asking.
            let path = "/api/v1/video/task/\(task.id.rawValue)"
            let unsigned0 = try await Self.get(port: bound[0], path: path, headers: [])
            let (openPort, guardedPort) = unsigned0 == 200 ? (bound[0], bound[1]) : (bound[1], bound[0])
            var report = Report(open: [], authenticated: [], errors: 0)
            for round in 1...rounds {
                let (openRate, openErrors) = try await load(port: openPort, path: path, signing: nil)
                let (guardedRate, guardedErrors) = try await load(port: guardedPort, path: path, signing: (key.id, RequestSigningKey(secret: secret)))
                report.open.append(openRate)
                report.authenticated.append(guardedRate)
                report.errors += openErrors + guardedErrors
                progress(String(format: "round %d: open %.0f req/s, authenticated %.0f req/s", round, openRate, guardedRate))
            }
            group.cancelAll()
            return report
        }
    }

    /// `requests` GETs of `path` with `concurrency` in flight; requests per second and non-200s.
    private func load(port: Int, path: String, signing: (id: String, key: RequestSigningKey)?) async throws -> (Double, Int) {
        let clock = ContinuousClock()
        let start = clock.now
        let errors = try await withThrowingTaskGroup(of: Int.self) { group in
            for lane in 0..<concurrency {
                group.addTask {
                    var errors = 0
                    for _ in stride(from: lane, to: requests, by: concurrency) {
                        let headers = signing.map {
                            RequestSignature.headers(keyID: $0.id, key: $0.key, method: "GET", pathAndQuery: path, body: Data())
                        } ?? []
                        if try await Self.get(port: port, path: path, headers: headers) != 200 { errors += 1 }
                    }
                    return errors
                }
            }
            return try await group.reduce(0, +)
        }
        let seconds = (clock.now - start) / .seconds(1)
        return (Double(requests) / seconds, errors)
    }

    /// One GET through the API client's HTTP client (a connection per request in flight, no
    /// tracing): the shared client's 8 connections queued 24 of the 32 requests in the client.
    private static func get(port: Int, path: String, headers: [(name: String, value: String)]) async throws -> UInt {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await APIClient.httpClient.execute(request, timeout: .seconds(30))
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }
}
