import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Subprocess
import SystemPackage
import Testing
import VideoGenXPlatform
import VideoGenXServer
import VideoGenXTestSupport

/// A `videogenx serve` child process on a free loopback port, for end-to-end tests. It is
/// stopped (SIGTERM, then SIGKILL) when the test body returns.
struct ServeProcess: Sendable {
    let port: Int
    let processID: pid_t
    /// The local admin key the server wrote on its first start; requests are signed with it.
    let keyFile: String

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server, waits until `/healthz` answers, runs `body`, then stops the server.
    /// The server's standard error (its logs) goes to `logFile` when given, else to a temporary
    /// file; when `body` fails, the log's last lines at level info and above are recorded with it.
    @discardableResult
    static func with<Value: Sendable>(
        _ role: String = "serve", dataDirectory: URL, leaseSeconds: Int? = nil, arguments extra: [String] = [],
        environment: [String: String] = [:], logFile: URL? = nil, _ body: @escaping @Sendable (ServeProcess) async throws -> Value
    ) async throws -> Value {
        try await withTermination(
            role, dataDirectory: dataDirectory, leaseSeconds: leaseSeconds, arguments: extra, environment: environment, logFile: logFile, body
        ).value
    }

    /// As ``with(dataDirectory:leaseSeconds:arguments:environment:_:)``, also answering how the
    /// server ended after the SIGTERM.
    static func withTermination<Value: Sendable>(
        _ role: String = "serve", dataDirectory: URL, leaseSeconds: Int? = nil, arguments extra: [String] = [],
        environment: [String: String] = [:], logFile: URL? = nil, _ body: @escaping @Sendable (ServeProcess) async throws -> Value
    ) async throws -> (value: Value, termination: TerminationStatus) {
        let port = try LoopbackPort.free()
        // A worker answers health on its own port; the other roles serve the API on theirs.
        let portFlag = role == "worker" ? "--worker-port" : "--port"
        var arguments = [role, portFlag, String(port), "--data-dir", dataDirectory.path, "--log-level", "info"]
        if let leaseSeconds { arguments += ["--lease-seconds", String(leaseSeconds)] }
        arguments += extra
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in environment { updates[Environment.Key(rawValue: key)!] = value }
        let log = logFile ?? FileManager.default.temporaryDirectory.appendingPathComponent("vgx-\(role)-\(UUID().uuidString).log")
        defer { if logFile == nil { try? FileManager.default.removeItem(at: log) } }
        let result = try await run(
            .path(FilePath(GenerateCommandTests.binary)), arguments: Arguments(arguments), environment: .inherit.updating(updates),
            input: .none, output: .discarded,
            error: .fileDescriptor(
                try FileDescriptor.open(
                    FilePath(log.path), .writeOnly, options: [.create, .truncate], permissions: [.ownerReadWrite]
                ),
                closeAfterSpawningProcess: true
            )
        ) { execution in
            let server = ServeProcess(
                port: port, processID: execution.processIdentifier.value, keyFile: dataDirectory.appendingPathComponent("admin-key.json").path
            )
            let value: Value
            do {
                try await server.waitUntilHealthy()
                value = try await body(server)
            } catch {
                try? execution.send(signal: .kill)
                Issue.record("\(role) on port \(port) failed the test (\(error)); its log ends:\n\(ServeLog.tail(of: log))")
                throw error
            }
            try? execution.send(signal: .terminate)
            return value
        }
        return (result.closureResult, result.terminationStatus)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    func kill() throws {
        guard Glibc.kill(processID, SIGKILL) == 0 else { throw POSIXError(.ESRCH) }
    }

    /// Waits until `/healthz` answers 200, at most 60 s: a start takes well under a second
    /// alone, but seconds while the test run's other servers, renders and browsers share the cores.
    func waitUntilHealthy() async throws {
        var last = "no answer"
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            do {
                let (status, json) = try await request("GET", "/healthz")
                if status == 200 { return }
                last = "\(status) \(json)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServeProcessTimeout(what: "/healthz answering 200 (last: \(last))")
    }

    /// Sends a request signed with the admin key (unsigned with `signed: false`); returns the
    /// status and the decoded JSON body.
    func request(
        _ method: String, _ path: String, body: String? = nil, signed: Bool = true, keyFile: String? = nil, headers: [String: String] = [:]
    ) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers {
            request.setValue(value, forHTTPHeaderField: name)
        }
        if signed, path.hasPrefix("/api/v1/") {
            let key = try ClientCredentials.load(keyFile ?? self.keyFile)
            for (name, value) in RequestSignature.headers(
                keyID: key.keyID, secret: key.secret, method: method, pathAndQuery: path, body: Data((body ?? "").utf8)
            ) {
                request.setValue(value, forHTTPHeaderField: name)
            }
        }
        request.timeoutInterval = 120
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
    }

    /// A signed GET of `path` whose redirects are followed: the final status and body, and the
    /// URL the API redirected to (`nil` when it answered itself).
    func download(_ path: String) async throws -> (status: Int, body: Data, redirectedTo: URL?) {
        var request = URLRequest(url: URL(string: base + path)!)
        let key = try ClientCredentials.load(keyFile)
        for (name, value) in RequestSignature.headers(keyID: key.keyID, secret: key.secret, method: "GET", pathAndQuery: path, body: Data()) {
            request.setValue(value, forHTTPHeaderField: name)
        }
        request.timeoutInterval = 120
        let (data, response) = try await URLSession.shared.data(for: request)
        let final = response.url
        let redirected = final.flatMap { $0.absoluteString.hasPrefix(base) ? nil : $0 }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data, redirected)
    }

    /// Submits a generation request and returns the task id.
    func submit(_ body: String, keyFile: String? = nil) async throws -> String {
        let (status, json) = try await request("POST", "/api/v1/video/generate", body: body, keyFile: keyFile)
        #expect(status == 202, "\(json)")
        guard let id = (json["data"] as? [String: Any])?["task_id"] as? String else { throw POSIXError(.EPROTO) }
        return id
    }

    /// Polls the task every 100 ms until `done` holds for its data (at most 4 minutes).
    func waitFor(_ id: String, keyFile: String? = nil, until done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline {
            let (status, json) = try await request("GET", "/api/v1/video/task/\(id)", keyFile: keyFile)
            if let data = json["data"] as? [String: Any], done(data) { return data }
            last = ["http_status": status, "body": json]
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeProcessTimeout(what: "task \(id) (last read: \(last))")
    }

    /// The local user's webhook signer, from `GET /api/v1/webhooks/secret`.
    func webhookSigner() async throws -> WebhookSigner {
        let (_, json) = try await request("GET", "/api/v1/webhooks/secret")
        guard let secret = (json["data"] as? [String: Any])?["secret"] as? String else { throw POSIXError(.EPROTO) }
        return try WebhookSigner(encoded: secret)
    }
}

/// A ``ServeProcess`` wait that ran out, naming what it waited for and the last answer seen.
struct ServeProcessTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Reading a serve process's log after a failure.
enum ServeLog {
    /// The last `count` lines of the log at `url` at level info or above (trace and debug lines
    /// left out, in the text and the JSON format), or why it could not be read.
    static func tail(of url: URL, count: Int = 40) -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return "(no log at \(url.path))" }
        let lines = text.split(separator: "\n").filter { line in
            let head = line.prefix(60)
            let quietText = head.contains(" trace ") || head.contains(" debug ")
            return !(quietText || line.contains(#""level":"trace""#) || line.contains(#""level":"debug""#))
        }
        return lines.suffix(count).joined(separator: "\n")
    }
}
