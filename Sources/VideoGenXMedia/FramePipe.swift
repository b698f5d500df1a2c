import CVideoGenXMedia
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The pipe frames go down into ffmpeg: made here (close-on-exec, so the child holds only the
/// read end, as its stdin), enlarged to 1 MiB where Linux allows, so a frame takes a write or two
/// instead of twenty 64 KiB rounds of wake-ups. Writes block on a queue of their own (never on
/// Swift's cooperative threads) while ffmpeg's side is full: that wait is the back-pressure.
final class FramePipe: Sendable {
    /// The end ffmpeg reads: handed to the child as stdin (not to be closed by swift-subprocess),
    /// then closed here by ``closeReadEnd()`` once the child holds its copy.
    let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor
    private let queue = DispatchQueue(label: "videogenx.frame-pipe")
    /// Which ends are closed already (each is closed exactly once: a second close could hit a
    /// descriptor number the process has reused since).
    private let closed = Mutex((read: false, write: false))
    /// The write ``send(_:)`` started last, until someone waited for it.
    private let inFlight = Mutex<Task<Void, any Error>?>(nil)

    /// A new pipe.
    /// - Throws: `Errno` when the system has no descriptors left.
    init() throws {
        var fds: [Int32] = [-1, -1]
        // 1 MiB: the default limit of /proc/sys/fs/pipe-max-size.
        guard vgx_frame_pipe(&fds, 1 << 20) == 0 else { throw Errno(rawValue: errno) }
        readEnd = FileDescriptor(rawValue: fds[0])
        writeEnd = FileDescriptor(rawValue: fds[1])
    }

    /// Hands `bytes` to the pipe and returns once the write before it has finished, not this
    /// one: the caller prepares the next frame while ffmpeg reads this one (at most one write
    /// in flight, so the back-pressure stays).
    /// - Throws: the previous write's error (`EPIPE` once ffmpeg has stopped reading).
    func send(_ bytes: [UInt8]) async throws {
        try await drain()
        let write = Task { try await self.write(bytes) }
        inFlight.withLock { $0 = write }
    }

    /// Waits for the write in flight, if any.
    /// - Throws: its error (`EPIPE` once ffmpeg has stopped reading).
    func drain() async throws {
        guard let write = inFlight.withLock({ slot in defer { slot = nil }; return slot }) else { return }
        try await write.value
    }

    /// Writes all of `bytes`, waiting while the pipe is full.
    /// - Throws: `Errno` (`EPIPE` once ffmpeg has stopped reading).
    private func write(_ bytes: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { [writeEnd] in
                do {
                    _ = try writeEnd.writeAll(bytes)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Closes this process's copy of the read end (once).
    func closeReadEnd() {
        guard closed.withLock({ state in defer { state.read = true }; return !state.read }) else { return }
        try? readEnd.close()
    }

    /// Closes the write end after the writes queued so far (ffmpeg then reads end-of-file), and
    /// the read end if still open. Idempotent.
    func finish() async {
        closeReadEnd()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                if self.closed.withLock({ state in defer { state.write = true }; return !state.write }) {
                    try? self.writeEnd.close()
                }
                continuation.resume()
            }
        }
    }
}
