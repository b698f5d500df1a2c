import Foundation
import Logging
import Testing
import VideoGenXPlatform
import VideoGenXTestSupport

/// `log.format=json`: one JSON object per line, searchable by task; no secret in any line.
@Suite("JSON logs", .serialized, .timeLimit(.minutes(5)))
final class JSONLogTests: Sendable {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-logs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    struct Failure: Error {}

    @Test("A log event is one JSON line: timestamp, level, message, module, logger, metadata flat with task.id as task_id and the error as error.type / error.message")
    func line() throws {
        let event = LogEvent(
            level: .warning, message: "upload failed", error: Failure(), metadata: ["task.id": "vid1", "retry": .array(["1", "2"])],
            source: "VideoGenXScheduler", file: #fileID, function: #function, line: #line
        )
        let bytes = JSONLogHandler.line(event, label: "videogenx", metadata: ["user.id": "u1"], now: Date(timeIntervalSince1970: 0))
        #expect(bytes.last == UInt8(ascii: "\n") && bytes.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["timestamp"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["level"] as? String == "warning" && object["message"] as? String == "upload failed")
        #expect(object["module"] as? String == "VideoGenXScheduler" && object["logger"] as? String == "videogenx")
        #expect(object["task_id"] as? String == "vid1" && object["user_id"] as? String == "u1")
        #expect(object["retry"] as? [String] == ["1", "2"])
        #expect((object["error.type"] as? String)?.hasSuffix("Failure") == true && object["error.message"] is String)
    }

    @Test("serve at trace level through a whole task with a callback: every stderr line is JSON, the task's lines carry task_id, and no API secret, webhook secret or URL signature appears in any line")
    func serveLogsAreJSONAndSecretFree() async throws {
        let log = directory.appendingPathComponent("serve.log")
        let receiver = WebhookReceiver()
        let environment = ["VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "2", "VIDEOGENX_LOG_FORMAT": "json"]
        let secrets = try await receiver.run { port in
            try await ServeProcess.with(
                dataDirectory: self.directory, arguments: ["--url-allowlist", "127.0.0.1", "--log-level", "trace"], environment: environment, logFile: log
            ) { server in
                let body = #"{"callback_url":"http://127.0.0.1:\#(port)/hook","text":"a kite over a beach","params":{"resolution":"720P","fps":24,"duration":1,"steps":2,"seed":4}}"#
                let id = try await server.submit(body)
                let task = try await server.waitFor(id) { ["succeeded", "failed"].contains($0["status"] as? String) }
                #expect(task["status"] as? String == "succeeded", "\(task)")
                let videoURL = try #require((task["result"] as? [String: Any])?["video_url"] as? String)
                try await eventually { receiver.count >= 1 }
                let (_, secret) = try await server.request("GET", "/api/v1/webhooks/secret")
                let key = try ClientCredentials.load(server.keyFile)
                let webhookSecret = try #require((secret["data"] as? [String: Any])?["secret"] as? String)
                let urlSignature = try #require(URLComponents(string: videoURL)?.queryItems?.first { $0.name == "signature" }?.value)
                return (id, [key.secret, webhookSecret, String(webhookSecret.dropFirst("whsec_".count)), urlSignature, receiver.requests[0].signature])
            }
        }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 10, "trace level logs the task's life")
        var taskLines = 0
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["message"] is String && object?["timestamp"] is String, "\(line)")
            if object?["task_id"] as? String == secrets.0 { taskLines += 1 }
            for secret in secrets.1 where !secret.isEmpty {
                #expect(!line.contains(secret), "a secret in: \(line)")
            }
        }
        #expect(taskLines >= 3, "claimed, started, succeeded at least")
    }
}
