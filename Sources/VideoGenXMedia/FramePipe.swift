import CVideoGenXMedia
import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// The pipe frames go down into ffmpeg: made here (close-on-exec, so the child holds only the
/// read end, as its stdin), enlarged to 1 MiB where Linux allows, so a frame takes a write or two
/// instead of twenty 64 KiB rounds of wake-ups. On Linux a frame is handed over by reference
/// (`vmsplice`): the pipe points at the frame's own pages and ffmpeg's read is the only copy, so
/// each frame is kept here until a pipe-full of later bytes proves it read. Writes block on a
/// queue of their own (never on Swift's cooperative threads) while ffmpeg's side is full: that
/// wait is the back-pressure.
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
    /// The most bytes the pipe holds: a frame followed by this many more has been read.
    private let capacity: Int
    /// Frames handed over whose pages the pipe may still point at, oldest first.
    private let handedOver = Mutex(HandedOverFrames())

    /// A new pipe.
    /// - Throws: `Errno` when the system has no descriptors left.
    init() throws {
        var fds: [Int32] = [-1, -1]
        // 1 MiB: the default limit of /proc/sys/fs/pipe-max-size.
        guard vgx_frame_pipe(&fds, 1 << 20) == 0 else { throw Errno(rawValue: errno) }
        readEnd = FileDescriptor(rawValue: fds[0])
        writeEnd = FileDescriptor(rawValue: fds[1])
        capacity = vgx_pipe_capacity(fds[1])
    }

    /// Hands `bytes` to the pipe and returns once the write before it has finished, not this
    /// one: the caller prepares the next frame while ffmpeg reads this one (at most one write
    /// in flight, so the back-pressure stays).
    /// - Parameter reusable: whether `bytes` are the pipe's to recycle once read (a buffer the
    ///   encoder converted into, which no caller holds) — see ``spareBuffer()``.
    /// - Throws: the previous write's error (`EPIPE` once ffmpeg has stopped reading).
    func send(_ bytes: [UInt8], reusable: Bool = false) async throws {
        try await drain()
        let write = Task { try await self.write(bytes, reusable: reusable) }
        inFlight.withLock { $0 = write }
    }

    /// Waits for the write in flight, if any.
    /// - Throws: its error (`EPIPE` once ffmpeg has stopped reading).
    func drain() async throws {
        guard let write = inFlight.withLock({ slot in defer { slot = nil }; return slot }) else { return }
        try await write.value
    }

    /// Hands all of `bytes` to the pipe, waiting while it is full, and keeps them until read.
    /// - Throws: `Errno` (`EPIPE` once ffmpeg has stopped reading).
    private func write(_ bytes: [UInt8], reusable: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { [self] in
                let failure = bytes.withUnsafeBufferPointer { buffer in
                    buffer.isEmpty ? 0 : vgx_pipe_hand_over(self.writeEnd.rawValue, buffer.baseAddress!, buffer.count)
                }
                // Kept even after a failure: part of it may be in the pipe.
                self.handedOver.withLock { $0.append(bytes, capacity: self.capacity, reusable: reusable) }
                if failure == 0 {
                    continuation.resume()
                } else {
                    continuation.resume(throwing: Errno(rawValue: failure))
                }
            }
        }
    }

    /// A frame's memory that ffmpeg has read and nothing else holds, to convert the next frame
    /// into (no fresh allocation, and no page faults, per frame); `nil` when there is none yet.
    func spareBuffer() -> [UInt8]? {
        handedOver.withLock { $0.takeSpare() }
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

/// The frames a ``FramePipe`` has handed over by reference and may still be in the pipe: a frame
/// leaves once the bytes after it fill the pipe's capacity (ffmpeg has read it by then), so its
/// memory is not reused while ffmpeg may still read from it. The last frames to leave are kept
/// as spares, for the next frames to be converted into.
struct HandedOverFrames {
    /// Spares kept at most.
    static let spareLimit = 2
    private var frames: [(bytes: [UInt8], reusable: Bool)] = []
    private var bytes = 0
    private var spares: [[UInt8]] = []

    /// Frames held now (spares not counted).
    var count: Int { frames.count }

    /// Keeps `frame`, then lets go of the oldest frames that `capacity` later bytes have pushed out
    /// (the `reusable` ones among them become spares).
    mutating func append(_ frame: [UInt8], capacity: Int, reusable: Bool = false) {
        frames.append((frame, reusable))
        bytes += frame.count
        while let (oldest, spare) = frames.first, bytes - oldest.count >= capacity {
            frames.removeFirst()
            bytes -= oldest.count
            if spare, spares.count < Self.spareLimit { spares.append(oldest) }
        }
    }

    /// A frame that has left the pipe, for its memory to be written again.
    mutating func takeSpare() -> [UInt8]? {
        spares.popLast()
    }
}
