import Foundation
import Subprocess
import SystemPackage
import Testing

/// The web console in a real browser: a live `videogenx serve` on loopback, a free key made with
/// `videogenx keys create`, and headless Chromium driven by Selenium (`tools/browser/console_test.py`,
/// `.venv-browser`, installed by `scripts/install-browser-deps.sh`): sign in, submit a short clip,
/// follow it to 100 %, play it, cancel a second task, field errors beside their fields, tier
/// limits, the operations page for admin and free keys, no errors in the browser console.
/// Screenshots of each page go to `.build/console-screenshots` (git-ignored; `VIDEOGENX_SCREENSHOTS`
/// names another folder); the path is printed.
@Suite("Web console in Chromium", .serialized)
final class ConsoleBrowserTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("Sign in, submit, watch to 100 %, play, cancel, field errors, tier limits, operations for admin and free keys, a clean browser console")
    func console() async throws {
        let python = Self.root.appendingPathComponent(".venv-browser/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path), "run scripts/install-browser-deps.sh (make test does)")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver"),
                     "run scripts/install-browser-deps.sh (make test does)")
        let screenshots = ProcessInfo.processInfo.environment["VIDEOGENX_SCREENSHOTS"] ?? Self.root.appendingPathComponent(".build/console-screenshots").path
        let data = directory.appendingPathComponent("data")
        let environment = ["VIDEOGENX_LIMITS_DURATION_MIN": "1", "VIDEOGENX_LIMITS_STEPS_MIN": "1"]
        let directory = self.directory
        let output = try await ServeProcess.with(dataDirectory: data, environment: environment) { server in
            let freeKey = directory.appendingPathComponent("free-key.json").path
            let created = try await CLI.run(["keys", "create", "--user", "ana", "--tier", "free", "--output", freeKey, "--data-dir", data.path])
            #expect(created.status == .exited(0), "\(created.stderr)")
            let result = try await Subprocess.run(
                .path(FilePath(python.path)),
                arguments: [
                    Self.root.appendingPathComponent("tools/browser/console_test.py").path, "--base", server.base, "--free-key", freeKey,
                    "--admin-key", server.keyFile, "--screenshots", screenshots,
                ],
                // Selenium Manager stays off: the driver is named, and it may neither download nor report.
                environment: .inherit.updating(["SE_AVOID_STATS": "true", "SE_OFFLINE": "true"]),
                output: .string(limit: 1 << 20), error: .string(limit: 1 << 20)
            )
            return (result.terminationStatus, result.standardOutput, result.standardError)
        }
        print("console screenshots: \(screenshots)")
        #expect(output.0 == .exited(0), "\(output.1)\n\(output.2.suffix(4000))")
        #expect(output.1.contains("all console checks passed"), "\(output.1)")
    }
}
