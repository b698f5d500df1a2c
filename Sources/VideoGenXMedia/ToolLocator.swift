import Foundation
import Subprocess
import SystemPackage

/// Turns a tool setting (`ffmpeg`, `/usr/bin/ffprobe`) into a swift-subprocess executable, and
/// runs a tool to completion with the error mapping every media tool shares.
enum ToolLocator {
    /// A path when `name` contains a slash, otherwise a name looked up on `PATH`.
    static func executable(_ name: String) -> Executable {
        name.contains("/") ? .path(FilePath(name)) : .name(name)
    }

    /// Runs `tool` with `arguments` and returns its stdout as text (up to `limit` bytes).
    ///
    /// - Throws: ``MediaError`` `toolNotFound` when it is not installed, `toolFailed` with the exit
    ///   code and stderr tail when it exits non-zero or is killed.
    static func collect(_ tool: String, arguments: [String], workingDirectory: String? = nil, limit: Int = 1 << 20) async throws -> String {
        String(decoding: try await collectBytes(tool, arguments: arguments, workingDirectory: workingDirectory, limit: limit), as: UTF8.self)
    }

    /// Runs `tool` with `arguments` and returns its stdout bytes (up to `limit`); errors as ``collect(_:arguments:workingDirectory:limit:)``.
    static func collectBytes(_ tool: String, arguments: [String], workingDirectory: String? = nil, limit: Int = 1 << 20) async throws -> [UInt8] {
        let result: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>
        do {
            result = try await run(
                executable(tool), arguments: Arguments(arguments), workingDirectory: workingDirectory.map { FilePath($0) },
                output: .bytes(limit: limit), error: .string(limit: 1 << 16)
            )
        } catch let error as SubprocessError where error.code == .executableNotFound {
            throw MediaError.toolNotFound(tool)
        }
        var tail = StderrTail()
        tail.append(Array(result.standardError.utf8))
        if let failure = MediaError(status: result.terminationStatus, tool: URL(fileURLWithPath: tool).lastPathComponent, stderrTail: tail.text) {
            throw failure
        }
        return result.standardOutput
    }
}
