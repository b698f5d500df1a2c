import ArgumentParser
import Foundation

/// `videogenx`: the VideoGenX command-line tool.
///
/// Exit codes: 0 success, 1 a failure while running (ffmpeg, I/O), 2 bad arguments.
@main
struct VideoGenX: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "videogenx",
        abstract: "VideoGenX: text-to-video as a service, in one binary.",
        discussion: "Exit codes: 0 success, 1 runtime failure (ffmpeg, I/O), 2 bad arguments.",
        subcommands: [
            GenerateCommand.self, ServeCommand.self, APICommand.self, WorkerCommand.self, MigrateCommand.self, SubmitCommand.self, StatusCommand.self, CancelCommand.self, WatchCommand.self,
            DevicesCommand.self, ModelsCommand.self, KeysCommand.self, LoadTestCommand.self, BenchCommand.self,
        ]
    )

    /// Parses and runs a command, mapping argument errors to exit code 2 and failures to 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as RuntimeFailure {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode.failure.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)
            } else if !message.isEmpty {
                FileHandle.standardError.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .success ? 0 : (code == .validationFailure ? 2 : code.rawValue))
        }
    }
}

/// A failure while running (not a usage error): printed as `error: …`, exit code 1.
struct RuntimeFailure: Error {
    /// What went wrong, for the user.
    var message: String
}
