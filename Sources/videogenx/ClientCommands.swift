import ArgumentParser
import Foundation
import VideoGenXCore
import VideoGenXPlatform

/// Where the server is, for the client commands.
struct ServerOptions: ParsableArguments {
    @Option(help: "Base URL of a running videogenx server.")
    var server = "http://127.0.0.1:8000"

    @Option(name: .customLong("key-file"), help: "API key file to sign requests with. (default: $VIDEOGENX_KEY_FILE, else ./data/admin-key.json, which serve writes)")
    var keyFile: String?

    /// A client signing with the key file, or exit 2 for a malformed URL or an unreadable key file.
    func client() throws -> APIClient {
        guard let url = URL(string: server), url.scheme == "http" || url.scheme == "https" else {
            FileHandle.standardError.write(Data("error: --server: must be an http(s) URL, got '\(server)'\n".utf8))
            throw ExitCode(2)
        }
        let path = ClientCredentials.locate(explicit: keyFile)
        do {
            return APIClient(baseURL: url, credentials: try ClientCredentials.load(path))
        } catch {
            FileHandle.standardError.write(Data("error: --key-file: cannot read an API key from \(path) (\(error.localizedDescription)); create one with 'videogenx keys create'\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Client commands share their exit codes: 0 done, 1 task failed or server error, 2 bad input.
enum ClientExit {
    /// Prints why a reply is not a success and exits: 2 for input the server refused (400, 403
    /// tier, 413), 1 otherwise.
    static func fail(_ reply: APIClient.Reply) -> ExitCode {
        let problems = reply.fieldErrors
        if problems.isEmpty {
            FileHandle.standardError.write(Data("error: server answered \(reply.status): \(reply.message)\n".utf8))
        } else {
            for problem in problems {
                FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            }
        }
        return [400, 403, 413].contains(reply.status) ? ExitCode(2) : ExitCode.failure
    }

    /// Follows a task over its Server-Sent Events stream (resuming after dropped connections),
    /// printing a line per change (or a progress line on a terminal); returns its final data.
    static func follow(_ id: String, client: APIClient, quiet: Bool) async throws -> [String: Any] {
        var last = ""
        let interactive = isatty(STDERR_FILENO) == 1
        let final: Data
        do {
            final = try await client.followEvents(id) { event in
                guard !quiet, let data = (try? JSONSerialization.jsonObject(with: event)) as? [String: Any] else { return }
                let line = "\(data["status"] as? String ?? "?") \(data["progress"] as? Int ?? 0)% \(data["stage"] as? String ?? "")"
                    + ((data["queue_position"] as? Int).map { " (position \($0) in queue)" } ?? "")
                if line != last {
                    FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + line : line + "\n").utf8))
                    last = line
                }
            }
        } catch let refused as APIClient.StreamRefused {
            throw fail(refused.reply)
        }
        if !quiet && interactive { FileHandle.standardError.write(Data("\n".utf8)) }
        return (try? JSONSerialization.jsonObject(with: final)) as? [String: Any] ?? [:]
    }
}

/// `videogenx submit`: sends a generation request to a server; `--wait` follows it and downloads the video.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a generation request to a running server.",
        discussion: "Exit codes: 0 done, 1 task failed or server error, 2 bad input."
    )

    @Argument(help: "The prompt (or use --json).")
    var prompt: String?

    @Option(name: .customLong("json"), help: "A file holding exactly the POST body of /api/v1/video/generate.")
    var jsonFile: String?

    @OptionGroup(title: "Generation parameters")
    var parameters: GenerationOptions

    @OptionGroup(title: "Finishing (subtitles, watermark, music, colour, output)")
    var finishing: FinishingOptions

    @Option(help: "Priority lane 0–3. (default: 2)")
    var priority: Int?

    @Option(name: .customLong("idempotency-key"), help: "Repeat-safe submission key.")
    var idempotencyKey: String?

    @Flag(help: "Follow the task to its end and download the video.")
    var wait = false

    @Option(name: .shortAndLong, help: "Where --wait saves the video. (default: out/<task id>.mp4)")
    var output: String?

    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let client = try server.client()
        let body = try requestBody()
        var headers: [String: String] = [:]
        if let idempotencyKey { headers["Idempotency-Key"] = idempotencyKey }
        let reply = try await client.send("POST", "/api/v1/video/generate", json: body, headers: headers)
        guard reply.status == 202 || reply.status == 200, let id = reply.data?["task_id"] as? String else {
            throw ClientExit.fail(reply)
        }
        print(id)
        guard wait else { return }
        let task = try await ClientExit.follow(id, client: client, quiet: quiet)
        guard task["status"] as? String == "succeeded",
              let videoURL = ((task["result"] as? [String: Any])?["video_url"] as? String).flatMap(URL.init(string:))
        else {
            let error = task["error"] as? [String: Any]
            FileHandle.standardError.write(Data("error: task \(id) \(task["status"] as? String ?? "?"): \(error?["message"] as? String ?? "")\n".utf8))
            throw ExitCode.failure
        }
        let destination = URL(fileURLWithPath: output ?? "out/\(id).mp4")
        let size = try await client.download(videoURL, to: destination)
        print("wrote \(destination.path) (\(size) bytes)")
    }

    private func requestBody() throws -> Data {
        if let jsonFile {
            guard prompt == nil else {
                FileHandle.standardError.write(Data("error: give either a prompt or --json, not both\n".utf8))
                throw ExitCode(2)
            }
            guard let data = FileManager.default.contents(atPath: jsonFile) else {
                FileHandle.standardError.write(Data("error: --json: cannot read \(jsonFile)\n".utf8))
                throw ExitCode(2)
            }
            return data
        }
        guard let prompt else {
            FileHandle.standardError.write(Data("error: give a prompt or --json FILE\n".utf8))
            throw ExitCode(2)
        }
        return try JSONEncoder().encode(Body(text: prompt, params: try finishing.apply(to: parameters.parameters), priority: priority))
    }

    private struct Body: Encodable {
        var text: String
        var params: GenerationRequest.Parameters
        var priority: Int?
    }
}

/// `videogenx status ID`: prints a task as the API shows it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show a task.")

    @Argument(help: "The task id.")
    var id: String

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let reply = try await server.client().send("GET", "/api/v1/video/task/\(id)")
        guard reply.status == 200, let data = reply.data else { throw ClientExit.fail(reply) }
        let pretty = try JSONSerialization.data(withJSONObject: data, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: pretty, as: UTF8.self))
    }
}

/// `videogenx cancel ID`: cancels a task.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a pending or running task.")

    @Argument(help: "The task id.")
    var id: String

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let reply = try await server.client().send("POST", "/api/v1/video/task/\(id)/cancel")
        guard reply.status == 200 else { throw ClientExit.fail(reply) }
        print("\(id): \(reply.message)")
    }
}

/// `videogenx watch ID`: follows a task until it ends (exit 0 only when it succeeded).
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Follow a task over its event stream (SSE) until it ends; exit 0 only when it succeeded."
    )

    @Argument(help: "The task id.")
    var id: String

    @OptionGroup var server: ServerOptions

    func run() async throws {
        let task = try await ClientExit.follow(id, client: server.client(), quiet: false)
        guard task["status"] as? String == "succeeded" else { throw ExitCode.failure }
    }
}
