import Foundation
import Subprocess
import SystemPackage
import Testing
import VideoGenXMedia

/// The `videogenx generate` binary as a user runs it: exit codes, messages, output file.
@Suite("videogenx generate (CLI)", .timeLimit(.minutes(3)))
struct GenerateCommandTests {
    /// The debug binary `swift test` builds beside the test bundle.
    static let binary: String = {
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/videogenx").path
    }()

    private func runCLI(
        _ arguments: [String], environment: Environment = .inherit
    ) async throws -> (status: TerminationStatus, stdout: String, stderr: String) {
        let result = try await run(
            .path(FilePath(Self.binary)), arguments: Arguments(arguments), environment: environment,
            output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
        )
        return (result.terminationStatus, result.standardOutput, result.standardError)
    }

    @Test("Bad arguments print every validation message and exit 2")
    func badArgumentsExit2() async throws {
        let result = try await runCLI(["generate", "fox", "--fps", "25", "--resolution", "8K", "--steps", "0", "-o", "/tmp/never.mp4"])
        #expect(result.status == .exited(2))
        #expect(result.stderr.contains("params.fps: must be 24 or 30, got 25"))
        #expect(result.stderr.contains("params.resolution: must be one of"))
        #expect(result.stderr.contains("params.steps: must be 1–100, got 0"))
    }

    @Test("Finishing flags and --params-file: subtitles, watermark and music reach the video; a bad nested value exits 2")
    func finishingFlags() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-gen-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let params = directory.appendingPathComponent("params.json")
        try Data(#"{"subtitle":{"segments":[{"start":0,"end":0.5,"text":"你好"},{"start":0.5,"end":1,"text":"hello"}]},"preset":"ultrafast"}"#.utf8).write(to: params)
        let output = directory.appendingPathComponent("f.mp4").path
        let result = try await runCLI([
            "generate", "fox", "--resolution", "720P", "--fps", "24", "--duration", "1", "--steps", "1", "-q", "-o", output,
            "--params-file", params.path, "--watermark-text", "VGX", "--music", "calm", "--music-volume", "0.5", "--codec", "h264",
        ])
        #expect(result.status == .exited(0), "\(result.stderr)")
        let probe = try await FFprobe().probe(output)
        #expect(probe.video?.codec == "h264")
        #expect(probe.streams.contains { $0.type == "audio" && $0.codec == "aac" })
        let bad = try await runCLI(["generate", "fox", "--subtitle", "x", "--subtitle-color", "blue", "-o", output])
        #expect(bad.status == .exited(2))
        #expect(bad.stderr.contains("params.subtitle.color: must be #RRGGBB, got 'blue'"))
    }

    @Test("serve with a GPU that does not exist (no driver here, or no 64th GPU) exits 2 naming worker.devices")
    func serveWithMissingGPU() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-gpu-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        let result = try await runCLI(
            ["serve", "--data-dir", data.path, "--port", "0"], environment: .inherit.updating(["VIDEOGENX_WORKER_DEVICES": "cpu,gpu:63"])
        )
        #expect(result.status == .exited(2))
        #expect(result.stderr.contains("error: configuration: worker.devices: "), "\(result.stderr)")
    }

    @Test("An unknown flag or codec is a usage error: exit 2")
    func usageErrorsExit2() async throws {
        #expect(try await runCLI(["generate", "fox", "--no-such-flag"]).status == .exited(2))
        let codec = try await runCLI(["generate", "fox", "--codec", "vp9"])
        #expect(codec.status == .exited(2))
        #expect(codec.stderr.contains("params.codec: must be one of 'h265', 'h264', got 'vp9'"))
    }

    @Test("An I/O failure exits 1 with the reason")
    func ioFailureExit1() async throws {
        let result = try await runCLI(["generate", "fox", "--duration", "1", "--steps", "1", "-q", "-o", "/proc/forbidden/x.mp4"])
        #expect(result.status == .exited(1))
        #expect(result.stderr.hasPrefix("error: cannot create /proc/forbidden"))
    }

    @Test("A missing ffmpeg exits 1 and says how to install it")
    func missingFFmpegExit1() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-noffmpeg-\(UUID().uuidString).mp4").path
        let result = try await runCLI(
            ["generate", "fox", "--resolution", "720P", "--duration", "1", "--steps", "1", "-q", "-o", path],
            environment: .inherit.updating(["PATH": "/nonexistent"])
        )
        #expect(result.status == .exited(1))
        #expect(result.stderr.contains("ffmpeg was not found on PATH"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("A good run writes the file and names it on stdout")
    func writesFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-cli-\(UUID().uuidString)/clip.mp4").path
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path) }
        let result = try await runCLI([
            "generate", "a blue whale swimming in the ocean", "--resolution", "720P", "--fps", "24", "--duration", "1",
            "--steps", "2", "--seed", "3", "--codec", "h264", "--preset", "ultrafast", "-o", path,
        ])
        #expect(result.status == .exited(0), "stderr: \(result.stderr)")
        #expect(result.stdout.contains("wrote \(path)"))
        #expect(result.stdout.contains("seed 3"))
        let video = try #require(try await FFprobe().probe(path).video)
        #expect(video.codec == "h264" && video.frameCount == 24)
    }
}
