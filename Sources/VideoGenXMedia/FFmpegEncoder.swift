import Foundation
import Subprocess
import Synchronization
import SystemPackage
import VideoGenXCore

#if canImport(Glibc)
import Glibc
#endif

/// Encodes streamed RGB frames to MP4 by piping them into an `ffmpeg` child process.
///
/// Frames go down ffmpeg's stdin as `rawvideo yuv420p` (BT.709, limited range), converted from
/// RGB here on all cores (``YUV420Converter``) rather than by ffmpeg on one; each write waits
/// until the pipe has room, so a slow encoder slows the producer instead of frames piling up in
/// memory (back-pressure).
/// ffmpeg runs under swift-subprocess; its stdin is a ``FramePipe`` of ours (1 MiB, written
/// from a queue of its own; on Linux each frame is handed over by reference, so ffmpeg's read is
/// its only copy).
/// What ffmpeg does besides encoding (filters, overlays, music) is a ``PostProcessingPlan``.
public struct FFmpegEncoder: Sendable {
    /// Codec, rate control and preset of plain encodes (``encode(format:to:frames:)``); a plan
    /// brings its own.
    public var settings: OutputSettings
    /// The ffmpeg executable: a name looked up on `PATH` (default `ffmpeg`) or a path.
    public var executable: String

    /// Creates an encoder.
    public init(settings: OutputSettings = OutputSettings(), executable: String = "ffmpeg") {
        self.settings = settings
        self.executable = executable
    }

    /// The full ffmpeg argument list for running `plan` on raw `format` frames read from `input`
    /// (default: stdin) into `path`. Benchmarks use a file as `input` to time ffmpeg alone.
    public func arguments(format: VideoFormat, input: String = "pipe:0", plan: PostProcessingPlan? = nil, path: String) -> [String] {
        let plan = plan ?? PostProcessingPlan(output: settings)
        return ["-hide_banner", "-loglevel", "error", "-y"] + format.inputArguments(source: input) + plan.inputs
            + plan.outputArguments(path: path)
    }

    /// Runs ffmpeg, lets `produce` write frames to it, and waits for the MP4 to be finished.
    ///
    /// - Parameters:
    ///   - format: size and frame rate of the frames `produce` writes.
    ///   - plan: filters, extra inputs and codec settings; `nil` encodes with ``settings`` only.
    ///   - workingDirectory: where ffmpeg runs, holding the plan's files and assets.
    ///   - path: the output file; replaced if it exists, removed again if encoding fails.
    ///   - produce: writes the frames in order through the ``FrameWriter`` (valid only inside).
    /// - Returns: frames written and bytes of the output.
    /// - Throws: ``MediaError`` with ffmpeg's exit code and stderr tail when ffmpeg fails or is
    ///   missing; whatever `produce` throws (ffmpeg is then killed).
    public func encode(
        format: VideoFormat, plan: PostProcessingPlan? = nil, workingDirectory: String? = nil, to path: String,
        frames produce: (FrameWriter) async throws -> Void
    ) async throws -> EncodeSummary {
        BrokenPipeSignal.ignore()
        let path = URL(fileURLWithPath: path).path
        let pipe = try FramePipe()
        do {
            let result = try await run(
                ToolLocator.executable(executable),
                arguments: Arguments(arguments(format: format, plan: plan, path: path)),
                workingDirectory: workingDirectory.map { FilePath($0) },
                input: .fileDescriptor(pipe.readEnd, closeAfterSpawningProcess: false),
                output: .discarded,
                error: .sequence
            ) { execution in
                // ffmpeg holds its copy now: ours must go, or ffmpeg's exit would not end a write.
                pipe.closeReadEnd()
                return try await withThrowingTaskGroup(of: StderrTail.self) { group in
                    group.addTask {
                        var tail = StderrTail()
                        for try await chunk in execution.standardError {
                            chunk.withUnsafeBytes { tail.append($0) }
                        }
                        return tail
                    }
                    let writer = FrameWriter(pipe: pipe, format: format)
                    var brokenPipe = false
                    do {
                        try await produce(writer)
                        try await writer.flush()
                    } catch Errno.brokenPipe {
                        // ffmpeg stopped reading: it failed, and its exit status and stderr say why.
                        brokenPipe = true
                    } catch {
                        try? execution.send(signal: .kill)
                        await pipe.finish()
                        throw error
                    }
                    await pipe.finish()
                    var tail = StderrTail()
                    for try await collected in group {
                        tail = collected
                    }
                    return EncodeRun(framesWritten: writer.framesWritten, stderrTail: tail.text, brokenPipe: brokenPipe)
                }
            }
            let run = result.closureResult
            if let failure = MediaError(status: result.terminationStatus, tool: "ffmpeg", stderrTail: run.stderrTail) {
                throw failure
            }
            if run.brokenPipe {
                throw MediaError(code: .toolFailed, message: "ffmpeg closed its input before all frames were written", stderrTail: run.stderrTail)
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return EncodeSummary(framesWritten: run.framesWritten, bytes: size, path: path)
        } catch let error as SubprocessError where error.code == .executableNotFound {
            await pipe.finish()
            throw MediaError.toolNotFound(executable)
        } catch {
            await pipe.finish()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}

extension FFmpegEncoder {
    /// Encodes a file of raw `yuv420p` frames (as ``YUV420Converter`` writes them) with ffmpeg
    /// reading it directly: the same settings as ``encode(format:to:frames:)`` without our pipe
    /// or conversion, the baseline of the encoder benchmark.
    ///
    /// - Throws: ``MediaError`` when ffmpeg is missing or fails.
    public func encodeRawFile(
        _ rawPath: String, format: VideoFormat, plan: PostProcessingPlan? = nil, workingDirectory: String? = nil, to path: String
    ) async throws -> EncodeSummary {
        _ = try await ToolLocator.collect(
            executable, arguments: arguments(format: format, input: rawPath, plan: plan, path: path), workingDirectory: workingDirectory
        )
        let frameBytes = YUV420Converter.byteCount(width: format.width, height: format.height)
        let rawSize = (try? FileManager.default.attributesOfItem(atPath: rawPath)[.size] as? Int) ?? 0
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return EncodeSummary(framesWritten: rawSize / max(frameBytes, 1), bytes: size, path: path)
    }
}

/// What one ``FFmpegEncoder/encode(format:to:frames:)`` call produced.
public struct EncodeSummary: Sendable, Hashable {
    /// Frames written to ffmpeg.
    public var framesWritten: Int
    /// Size of the output file in bytes.
    public var bytes: Int
    /// The output path.
    public var path: String
}

/// The closure's result inside the subprocess run.
private struct EncodeRun: Sendable {
    var framesWritten: Int
    var stderrTail: String
    var brokenPipe: Bool
}

/// Writes frames into a running ffmpeg. Valid only inside the `encode` closure that gave it.
public final class FrameWriter: Sendable {
    private let pipe: FramePipe
    private let converter = YUV420Converter()
    /// The format every frame must match.
    public let format: VideoFormat
    private let written = Atomic<Int>(0)

    init(pipe: FramePipe, format: VideoFormat) {
        self.pipe = pipe
        self.format = format
    }

    /// Frames handed to ffmpeg so far (the last may still be on its way into the pipe until the
    /// encode finishes): what a render's progress counts.
    public var framesWritten: Int { written.load(ordering: .relaxed) }

    /// Converts one frame to `yuv420p` and hands it to ffmpeg's pipe, returning once the frame
    /// before it is written: converting (and producing) the next frame overlaps ffmpeg reading
    /// this one, and a slow encoder still holds the producer back.
    ///
    /// - Throws: ``MediaError`` `frameSizeMismatch` for a frame of another size; a write error
    ///   when ffmpeg has stopped reading.
    public func write(_ frame: RGBFrame) async throws {
        guard frame.width == format.width, frame.height == format.height else {
            throw MediaError(
                code: .frameSizeMismatch,
                message: "frame is \(frame.width)x\(frame.height) but the video is \(format.width)x\(format.height)"
            )
        }
        // Into the memory of a frame ffmpeg has read, where there is one: no allocation per frame.
        var buffer = pipe.spareBuffer() ?? []
        converter.convert(frame, into: &buffer)
        try await send(buffer, reusable: true)
    }

    /// Hands one frame that is already `yuv420p` (BT.709, limited range; Y, then U, then V, as
    /// ``YUV420Converter`` writes it) to ffmpeg's pipe, with ``write(_:)``'s back-pressure.
    ///
    /// - Throws: ``MediaError`` `frameSizeMismatch` when `bytes` is not one frame of the
    ///   video's size; a write error when ffmpeg has stopped reading.
    public func write(yuv420p bytes: [UInt8]) async throws {
        let expected = YUV420Converter.byteCount(width: format.width, height: format.height)
        guard bytes.count == expected else {
            throw MediaError(
                code: .frameSizeMismatch,
                message: "a yuv420p frame of \(format.width)x\(format.height) is \(expected) bytes, not \(bytes.count)"
            )
        }
        try await send(bytes)
    }

    private func send(_ bytes: [UInt8], reusable: Bool = false) async throws {
        try await pipe.send(bytes, reusable: reusable)
        written.add(1, ordering: .relaxed)
    }

    /// Waits until every frame handed over is in the pipe.
    /// - Throws: the last write's error (`EPIPE` once ffmpeg has stopped reading).
    func flush() async throws {
        try await pipe.drain()
    }
}

/// Process-wide SIGPIPE handling: a child that exits while we write must produce an error, not
/// kill this process (the default action of SIGPIPE).
enum BrokenPipeSignal {
    private static let installed: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// Ignores SIGPIPE for the whole process (idempotent).
    static func ignore() {
        _ = installed
    }
}
