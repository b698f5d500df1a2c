import Foundation
import VideoGenXClient
import VideoGenXCore
import VideoGenXInference
import VideoGenXMedia
import VideoGenXPlatform

/// Measures the overhead of our streaming encoder: the same frames encoded by our pipeline
/// (RGB frames from memory, converted to yuv420p on all cores and piped into ffmpeg) and by
/// ffmpeg alone (reading the same yuv420p frames from a file), with
/// identical settings, alternating in one run (each round starts with the next side). Reports
/// median throughputs, their ratio, and the CPU our own process spends per frame. With
/// `finishing`, both sides run the same full post-processing plan (colour, denoise, CJK and
/// English subtitles, image watermark, built-in music) in the same work directory.
public struct EncoderBenchmark: Sendable {
    /// Frames per run. Default 120.
    public var frames: Int
    /// Frame size and rate.
    public var format: VideoFormat
    /// Encoder settings shared by both sides.
    public var settings: OutputSettings
    /// Runs per side. Default 3.
    public var repetitions: Int
    /// Whether both sides apply the full post-processing plan. Default false (encode only).
    public var finishing: Bool
    /// Whether each round also runs a third side: the already-converted yuv420p frames written
    /// through our pipe (no conversion), what a pipe costs over ffmpeg reading a file. Default false.
    public var pipeFloor: Bool

    /// Creates the benchmark.
    public init(
        frames: Int = 120, format: VideoFormat, settings: OutputSettings, repetitions: Int = 3, finishing: Bool = false, pipeFloor: Bool = false
    ) {
        self.frames = frames
        self.format = format
        self.settings = settings
        self.repetitions = repetitions
        self.finishing = finishing
        self.pipeFloor = pipeFloor
    }

    /// The measured medians.
    public struct Result: Sendable {
        /// Frames per second of ffmpeg alone, one value per run.
        public var ffmpegAlone: [Double]
        /// Frames per second of our pipeline, one value per run.
        public var pipeline: [Double]
        /// Median of ``ffmpegAlone``.
        public var ffmpegMedian: Double { ffmpegAlone.median }
        /// Median of ``pipeline``.
        public var pipelineMedian: Double { pipeline.median }
        /// Pipeline throughput over ffmpeg-alone throughput, each the median of its runs.
        public var ratio: Double { pipelineMedian / ffmpegMedian }
        /// The median of each round's pipeline-over-alone ratio: the two runs of a round are
        /// back to back, so a machine whose speed drifts between rounds moves both alike.
        public var pairedRatio: Double { pairedRatio(of: pipeline) }
        /// Size of the pipeline's output in bytes (last run).
        public var outputBytes = 0
        /// CPU seconds per frame of ffmpeg alone (its process), one value per run.
        public var ffmpegAloneCPU: [Double] = []
        /// CPU seconds per frame of our pipeline (this process's conversion and writes, plus
        /// ffmpeg's), one value per run.
        public var pipelineCPU: [Double] = []
        /// ffmpeg alone's CPU per frame over the pipeline's (medians): the work the pipeline
        /// adds, steadier than the throughput ratio on a machine whose speed drifts.
        public var cpuRatio: Double { ffmpegAloneCPU.median / pipelineCPU.median }
        /// CPU seconds per frame of this process alone during the pipeline's runs (conversion,
        /// handing frames to the pipe, running ffmpeg): what VideoGenX itself adds, one value per run.
        public var pipelineOwnCPU: [Double] = []
        /// The same during the pipe-only runs (no conversion), one value per run.
        public var pipeOnlyOwnCPU: [Double] = []
        /// Frames per second of the yuv420p frames through our pipe, one value per run (empty
        /// unless ``EncoderBenchmark/pipeFloor``).
        public var pipeOnly: [Double] = []
        /// The median of each round's pipe-only over alone ratio: the most a pipe feed can reach.
        public var pipeFloorRatio: Double { pairedRatio(of: pipeOnly) }

        /// The median over rounds of `side`'s throughput over ffmpeg alone's in the same round.
        private func pairedRatio(of side: [Double]) -> Double {
            zip(side, ffmpegAlone).map { $0 / $1 }.median
        }
    }

    /// Renders the frames with the procedural model, then times both sides alternately.
    public func run(log: (String) -> Void) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vgx-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        log("rendering \(frames) frames of \(format.width)x\(format.height) with the procedural model…")
        let renderStart = ContinuousClock.now
        let frameList = try await renderFrames()
        let renderSeconds = (ContinuousClock.now - renderStart).seconds
        log(String(format: "rendered in %.2f s (%.1f fps, sampling 10 steps + decoding)", renderSeconds, Double(frames) / renderSeconds))
        // ffmpeg alone reads the frames as the pipe hands them over: yuv420p, converted here
        // beforehand (and not timed), so it spends no time on RGB.
        let rawPath = directory.appendingPathComponent("frames.yuv").path
        var raw = Data()
        raw.reserveCapacity(frameList.count * YUV420Converter.byteCount(width: format.width, height: format.height))
        let converter = YUV420Converter()
        var converted: [[UInt8]] = []
        for frame in frameList {
            let yuv = converter.convert(frame)
            raw.append(contentsOf: yuv)
            if pipeFloor { converted.append(yuv) }
        }
        try raw.write(to: URL(fileURLWithPath: rawPath))
        raw = Data()

        let encoder = FFmpegEncoder(settings: settings)
        let plan = finishing ? try await finishingPlan(in: directory) : nil
        let work = directory.path
        var result = Result(ffmpegAlone: [], pipeline: [])
        var sides: [Side] = [.alone, .pipeline]
        if pipeFloor { sides.append(.pipeOnly) }
        for round in 1...repetitions {
            // Each round starts with the next side: no side always runs right after the same one.
            let order = (0..<sides.count).map { sides[($0 + round - 1) % sides.count] }
            var measured: [Side: (fps: Double, cpu: Double, own: Double)] = [:]
            for side in order {
                let output = directory.appendingPathComponent("\(side).mp4").path
                measured[side] = try await timed { () async throws -> Void in
                    switch side {
                    case .alone:
                        _ = try await encoder.encodeRawFile(rawPath, format: format, plan: plan, workingDirectory: work, to: output)
                    case .pipeline:
                        result.outputBytes = try await encoder.encode(format: format, plan: plan, workingDirectory: work, to: output) { writer in
                            for frame in frameList { try await writer.write(frame) }
                        }.bytes
                    case .pipeOnly:
                        _ = try await encoder.encode(format: format, plan: plan, workingDirectory: work, to: output) { writer in
                            for frame in converted { try await writer.write(yuv420p: frame) }
                        }
                    }
                }
            }
            let alone = measured[.alone]!, piped = measured[.pipeline]!
            result.ffmpegAlone.append(alone.fps)
            result.pipeline.append(piped.fps)
            result.ffmpegAloneCPU.append(alone.cpu)
            result.pipelineCPU.append(piped.cpu)
            result.pipelineOwnCPU.append(piped.own)
            var floorNote = ""
            if let floor = measured[.pipeOnly] {
                result.pipeOnly.append(floor.fps)
                result.pipeOnlyOwnCPU.append(floor.own)
                floorNote = String(format: "; yuv420p through the pipe %.1f fps (ours %.2f ms a frame)", floor.fps, floor.own * 1000)
            }
            log(String(
                format: "round %d (%@): ffmpeg alone %.1f fps, pipeline %.1f fps (ours %.2f ms a frame)%@; CPU per frame %.2f / %.2f ms", round,
                order.map { "\($0)" }.joined(separator: ", "), alone.fps, piped.fps, piped.own * 1000, floorNote, alone.cpu * 1000,
                piped.cpu * 1000
            ))
        }
        return result
    }

    /// The sides a round runs.
    private enum Side: CustomStringConvertible {
        case alone, pipeline, pipeOnly

        var description: String {
            switch self {
            case .alone: "alone"
            case .pipeline: "pipeline"
            case .pipeOnly: "pipe"
            }
        }
    }

    /// Frames per second and CPU seconds per frame (this process and its children; this process
    /// alone) of one side's run.
    private func timed(_ side: () async throws -> Void) async throws -> (fps: Double, cpu: Double, own: Double) {
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = ProcessCPU.now()
        let ownStart = ProcessCPU.own()
        try await side()
        let perFrame = { (seconds: Double) in seconds / Double(frames) }
        return (Double(frames) / (clock.now - start).seconds, perFrame(ProcessCPU.now() - cpuStart), perFrame(ProcessCPU.own() - ownStart))
    }

    /// Every finishing option on, as a request would set them; assets made in `directory`.
    private func finishingPlan(in directory: URL) async throws -> PostProcessingPlan {
        let duration = Double(frames) / Double(format.fps)
        var spec = try GenerationRequest(text: "benchmark", params: .init(fps: 30, duration: 2)).validated(limits: .oneShot)
        spec.brightness = 0.05
        spec.contrast = 1.1
        spec.saturation = 1.2
        spec.denoise = .light
        spec.durationSeconds = max(1, Int(duration.rounded(.up)))
        spec.fps = format.fps
        spec.subtitle = Subtitle(segments: [
            SubtitleSegment(start: 0, end: duration / 2, text: "一只红狐狸在雪地里奔跑，阳光照在雪上"),
            SubtitleSegment(start: duration / 2, end: duration, text: "A red fox runs through the snow in the morning light"),
        ])
        spec.watermark = Watermark(content: .image("benchmark"), position: .bottomRight, opacity: 60)
        spec.music = BackgroundMusic(source: .builtin(.default), volume: 0.8, fadeOut: min(1, duration / 2))
        spec.output = settings
        try await TestPattern.writePNG(to: directory.appendingPathComponent("watermark.png").path, width: 320, height: 120)
        return try await PostProcessingExecutor().prepare(
            spec, format: format, workDirectory: directory.path, assets: .init(watermarkImage: "watermark.png")
        )
    }

    private func renderFrames() async throws -> [RGBFrame] {
        let model = ProceduralModel()
        try await model.load(on: .cpu)
        let job = GenerationJob(
            prompt: "a red fox running through snow", width: format.width, height: format.height, fps: format.fps,
            frameCount: frames, steps: 10, seed: 7
        )
        var collected: [RGBFrame] = []
        try await model.generate([job], progress: { _ in }, frames: { collected.append(contentsOf: $0.frames) })
        return collected
    }
}
