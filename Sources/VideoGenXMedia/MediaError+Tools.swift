import Subprocess

extension MediaError {
    /// The error for a tool that is not installed.
    static func toolNotFound(_ tool: String) -> MediaError {
        MediaError(
            code: .toolNotFound,
            message: "\(tool) was not found on PATH; install it (Debian: apt-get install ffmpeg, or run `make deps`)"
        )
    }

    /// The error for a tool that exited non-zero or was killed, or `nil` when it succeeded.
    init?(status: TerminationStatus, tool: String, stderrTail: String) {
        switch status {
        case .exited(0):
            return nil
        case .exited(let code):
            self.init(code: .toolFailed, message: "\(tool) failed", exitCode: Int32(code), stderrTail: stderrTail)
        case .signaled(let signal):
            self.init(code: .toolFailed, message: "\(tool) was killed by signal \(signal)", exitCode: -Int32(signal), stderrTail: stderrTail)
        }
    }
}
