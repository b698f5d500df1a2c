/// An error of the media pipeline: ffmpeg missing or failing, frames of the wrong size, a probe
/// that could not be read. Carries ffmpeg's exit code and the tail of its stderr when it has them.
public struct MediaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes.
    public enum Code: String, Sendable, Hashable {
        /// ffmpeg or ffprobe is not installed or not on `PATH`.
        case toolNotFound = "tool_not_found"
        /// ffmpeg or ffprobe exited non-zero or was killed.
        case toolFailed = "tool_failed"
        /// A frame did not match the declared video format.
        case frameSizeMismatch = "frame_size_mismatch"
        /// ffprobe's output could not be understood.
        case probeUnreadable = "probe_unreadable"
    }

    /// What went wrong.
    public var code: Code
    /// A human-readable message.
    public var message: String
    /// The tool's exit code (or the signal number, negated), when it ran.
    public var exitCode: Int32?
    /// The last lines of the tool's stderr, when it ran.
    public var stderrTail: String

    /// Creates an error.
    public init(code: Code, message: String, exitCode: Int32? = nil, stderrTail: String = "") {
        self.code = code
        self.message = message
        self.exitCode = exitCode
        self.stderrTail = stderrTail
    }

    /// Message, exit code and stderr tail, for logs and the CLI.
    public var description: String {
        var text = message
        if let exitCode { text += " (exit code \(exitCode))" }
        if !stderrTail.isEmpty { text += "\n" + stderrTail }
        return text
    }
}
