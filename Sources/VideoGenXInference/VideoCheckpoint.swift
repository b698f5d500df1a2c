import Synchronization

/// Where a paused video generation stands: the latent window being sampled and its sampler
/// checkpoint. Resuming re-samples the windows before it (bit-identically, from the seed; their
/// frames were streamed to an encoder the pause discarded) and continues this window from the
/// checkpoint's step. Only the current window is stored, so a checkpoint stays small (one
/// window: ≤ 2 MiB by default) and memory stays flat in the video's length; the price is
/// re-sampling the earlier windows on resume. Serialised for the object store.
public struct VideoCheckpoint: Sendable, Equatable {
    /// Index of the window the pause happened in.
    public var window: Int
    /// The sampler state inside that window.
    public var sampler: SamplerCheckpoint

    /// Creates a checkpoint.
    public init(window: Int, sampler: SamplerCheckpoint) {
        self.window = window
        self.sampler = sampler
    }

    private static let magic: [UInt8] = Array("VGXV".utf8)

    /// Magic `VGXV`, version 1, the window (little-endian u32), then the sampler checkpoint.
    public func serialized() -> [UInt8] {
        var bytes = Self.magic + [1]
        withUnsafeBytes(of: UInt32(window).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + sampler.serialized()
    }

    /// Reads bytes written by ``serialized()``.
    /// - Throws: ``ModelError`` `invalid_checkpoint`.
    public init(serialized bytes: [UInt8]) throws(ModelError) {
        guard bytes.count > 9, Array(bytes[0..<4]) == Self.magic, bytes[4] == 1 else {
            throw ModelError(code: "invalid_checkpoint", message: "not a version-1 video checkpoint")
        }
        let window = (0..<4).reduce(0) { $0 | Int(bytes[5 + $1]) << (8 * $1) }
        self.init(window: window, sampler: try SamplerCheckpoint(serialized: Array(bytes[9...])))
    }
}

/// Asks a running generation to pause at its next sampler step (preemption). Safe to set from
/// any task; the model reads it after every step.
public final class PauseSignal: Sendable {
    private let requested = Atomic<Bool>(false)

    /// A signal not yet raised.
    public init() {}

    /// Asks the generation to pause after the step it is running.
    public func request() {
        requested.store(true, ordering: .relaxed)
    }

    /// Whether a pause was asked for.
    public var isRequested: Bool { requested.load(ordering: .relaxed) }
}

/// How a resumable generation ended.
public enum GenerationOutcome: Sendable, Equatable {
    /// Every frame was streamed.
    case finished
    /// Paused on request; resume from the checkpoint (the frames streamed so far are not a
    /// complete video and are to be discarded).
    case paused(VideoCheckpoint)
}
