import ArgumentParser
import Foundation
import VideoGenXBenchmarks
import VideoGenXCore
import VideoGenXMedia
import VideoGenXPlatform

/// `videogenx bench`: the benchmarks behind docs/benchmarks.md. Build in release mode to
/// measure (`make bench`).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure encoder overhead, model cost, the store, auth and the scheduler (results go in docs/benchmarks.md).",
        subcommands: [
            EncoderBench.self, TracingBench.self, ModelBench.self, StoreBench.self, AuthBench.self, SchedulerBench.self, WorkerBench.self, S3Bench.self,
        ]
    )
}

/// `videogenx bench encoder`: our streaming pipeline vs ffmpeg alone on the same raw frames.
struct EncoderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encoder",
        abstract: "Encode N frames through our pipe and with ffmpeg reading a file; print the throughput ratio."
    )

    @Option(help: "Frames per run.")
    var frames = 120

    @Option(help: "720P, 1080P or 4K.")
    var resolution = "720P"

    @Option(help: "Frames per second of the stream.")
    var fps = 24

    @Option(help: "h265 or h264.")
    var codec = "h265"

    @Option(help: "x264/x265 preset.")
    var preset = "ultrafast"

    @Option(help: "Constant rate factor. (default: 28 for h265, 23 for h264)")
    var crf: Int?

    @Option(help: "Runs per side; medians are reported.")
    var repetitions = 3

    @Flag(help: "Both sides apply every finishing option (colour, denoise, CJK subtitles, image watermark, music).")
    var finishing = false

    @Flag(help: "Each round also pipes the already-converted yuv420p frames (no conversion): what the pipe alone costs.")
    var pipeFloor = false

    func run() async throws {
        guard let size = Resolution(rawValue: resolution), let chosen = VideoCodec(rawValue: codec),
              frames > 0, repetitions > 0
        else {
            throw ValidationError("--resolution must be 720P, 1080P or 4K; --codec h265 or h264; --frames and --repetitions positive")
        }
        let benchmark = EncoderBenchmark(
            frames: frames, format: VideoFormat(width: size.width, height: size.height, fps: fps),
            settings: OutputSettings(codec: chosen, rateControl: crf.map { .crf($0) }, preset: preset), repetitions: repetitions,
            finishing: finishing, pipeFloor: pipeFloor
        )
        let result = try await benchmark.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        print(String(
            format: "encoder%@: %d frames %@ %@ %@ crf %@ — ffmpeg alone %.1f fps, pipeline %.1f fps (medians of %d) — ratio %.3f — paired ratio %.3f — CPU ratio %.3f — output %d bytes",
            finishing ? " (finishing)" : "", frames, resolution, codec, preset, crf.map(String.init) ?? "default",
            result.ffmpegMedian, result.pipelineMedian, repetitions, result.ratio, result.pairedRatio, result.cpuRatio, result.outputBytes
        ))
        print(String(
            format: "our own CPU per frame in the pipeline: %.3f ms (median) — %.1f %% of ffmpeg alone's %.2f ms", result.pipelineOwnCPU.median * 1000,
            result.pipelineOwnCPU.median / result.ffmpegAloneCPU.median * 100, result.ffmpegAloneCPU.median * 1000
        ))
        if pipeFloor {
            print(String(
                format: "pipe floor: yuv420p frames through the pipe %.1f fps (median) — paired ratio to ffmpeg alone %.3f — our own CPU per frame %.3f ms",
                result.pipeOnly.median, result.pipeFloorRatio, result.pipeOnlyOwnCPU.median * 1000
            ))
        }
    }
}

/// `videogenx bench model`: sampler-step cost against steps × latent frames × latent pixels.
struct ModelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time sampler steps of the procedural model over a grid and fit a line to the work."
    )

    @Option(help: "Runs per configuration; medians are kept.")
    var repetitions = 3

    @Flag(help: "Instead, the per-item cost of the batched path: batches of 1, 2, 4, 8 (720P, 8 latent frames) vs the same jobs one by one.")
    var batchCurve = false

    @Option(help: "Instead, an ONNX model's sampler step vs Python onnxruntime on the same graph, batches 1, 2, 4, 8 (720P, 2 latent frames).")
    var model: String?

    @Option(help: "Folder of model configs (with --model).")
    var modelsDir = "models"

    @Option(help: "Intra-op threads of both sides (with --model; 0: one per core).")
    var threads = 1

    @Option(help: "Timed sampler steps per batch size (with --model), after two warm-up steps.")
    var steps = 10

    func run() async throws {
        if let model {
            var onnx = OnnxSettings()
            onnx.threads = threads
            let lines = try await OnnxStepBenchmark(model: model, modelsDirectory: URL(fileURLWithPath: modelsDir), onnx: onnx, steps: steps).run {
                FileHandle.standardError.write(Data(($0 + "\n").utf8))
            }
            print("| batch | ours s/step | Python onnxruntime s/step | ours vs Python (throughput) | ours steps·members/s |")
            print("|---:|---:|---:|---:|---:|")
            for line in lines {
                print(String(format: "| %d | %.4f | %.4f | %.2f | %.1f |", line.batch, line.ours, line.python, line.ratio, Double(line.batch) / line.ours))
            }
            return
        }
        if batchCurve {
            let lines = try await BatchCostBenchmark(repetitions: repetitions).run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            let base = lines.first?.perItemSeconds ?? 1
            print("| batch | batch s | one-by-one s | per item s | per item vs batch 1 | batch vs one-by-one |")
            print("|---:|---:|---:|---:|---:|---:|")
            for line in lines {
                print(String(
                    format: "| %d | %.3f | %.3f | %.3f | %.2f | %.2f |", line.size, line.batchSeconds, line.serialSeconds, line.perItemSeconds,
                    line.perItemSeconds / base, line.batchSeconds / line.serialSeconds
                ))
            }
            return
        }
        let (samples, fit) = try ModelCostBenchmark(repetitions: repetitions).run {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print("| steps | latent frames | latent pixels | work (M) | seconds | fitted | ns per unit |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        var perUnit: [Double] = []
        for s in samples {
            let predicted = fit.intercept + fit.slope * s.work
            let nanoseconds = s.seconds / s.work * 1e9
            perUnit.append(nanoseconds)
            print(String(
                format: "| %d | %d | %d | %.2f | %.4f | %.4f | %.2f |",
                s.steps, s.latentFrames, s.latentPixels, s.work / 1e6, s.seconds, predicted, nanoseconds
            ))
        }
        print(String(
            format: "model: seconds = %.4f + %.3f ns × work; R² = %.4f; per unit: median %.2f ns, range %.2f–%.2f ns",
            fit.intercept, fit.slope * 1e9, fit.rSquared, perUnit.median, perUnit.min() ?? 0, perUnit.max() ?? 0
        ))
    }
}

/// `videogenx bench store`: a task store against the same SQL issued directly (GRDB for SQLite,
/// postgres-nio for PostgreSQL).
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inserts, claims and completes per second: the task store vs its raw statements on the same schema (SQLite or PostgreSQL)."
    )

    @Option(help: "sqlite or postgres.")
    var store = "sqlite"

    @Option(name: .customLong("store-url"), help: "With --store postgres: a server URL, postgres://USER@HOST:PORT/DB?sslmode=…; each round makes and drops its own database (also VIDEOGENX_STORE_URL; password from VIDEOGENX_STORE_PASSWORD).")
    var storeURL: String?

    @Option(help: "Tasks per phase.")
    var tasks = 2000

    @Option(help: "Rounds per side; medians are reported.")
    var rounds = 3

    @Option(help: "Commit durability: full (power-loss safe, the default) or normal (crash safe).")
    var durability = "full"

    func run() async throws {
        guard tasks > 0, rounds > 0, ["full", "normal"].contains(durability), ["sqlite", "postgres"].contains(store) else {
            throw ValidationError("--tasks and --rounds must be positive; --durability full or normal; --store sqlite or postgres")
        }
        let log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let lines: [StoreBenchmark.Line]
        let label: String
        if store == "postgres" {
            guard let text = storeURL ?? ProcessInfo.processInfo.environment["VIDEOGENX_STORE_URL"] else {
                throw ValidationError("--store postgres needs --store-url (or VIDEOGENX_STORE_URL)")
            }
            let benchmark: PostgresStoreBenchmark
            do {
                benchmark = try PostgresStoreBenchmark(
                    url: text, password: ProcessInfo.processInfo.environment["VIDEOGENX_STORE_PASSWORD"], tasks: tasks, rounds: rounds
                )
            } catch {
                throw ValidationError("--store-url: \(error)")
            }
            lines = try await benchmark.run(log: log)
            label = "postgres"
        } else {
            lines = try await StoreBenchmark(tasks: tasks, rounds: rounds, powerLossSafe: durability == "full").run(log: log)
            label = "sqlite, \(durability)"
        }
        print("| operation (\(label)) | store ops/s | raw SQL ops/s | ratio |")
        print("|---|---:|---:|---:|")
        for line in lines {
            print(String(format: "| %@ | %.0f | %.0f | %.2f |", line.operation, line.store.median, line.raw.median, line.ratio))
        }
        if let single = lines.first(where: { $0.operation == "claim (capacity 1)" }),
           let batched = lines.first(where: { $0.operation == "claim (capacity 8, tasks/s)" })
        {
            print(String(format: "claims of 8 per round trip vs claims of 1 (store, tasks/s): %.2f×", batched.store.median / single.store.median))
        }
    }
}

/// `videogenx bench auth`: the cost of signatures, nonces and rate limits on a read route.
struct S3Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3",
        abstract: "Upload and presigned download of one file by our S3 client vs `aws s3 cp`, same server, alternating rounds (scripts/bench-s3.sh runs it on moto)."
    )

    @Option(help: "The bucket, s3://BUCKET/PREFIX?endpoint=…&region=…&path_style=…; keys from the AWS_* variables or ~/.aws/credentials.")
    var url: String

    @Option(name: .customLong("size-mb"), help: "Size of the file moved, in MiB.")
    var sizeMiB = 200

    @Option(help: "Rounds per side; medians are reported.")
    var rounds = 3

    @Option(help: "The AWS CLI.")
    var aws = ".venv-s3/bin/aws"

    func run() async throws {
        guard sizeMiB > 0, rounds > 0 else { throw ValidationError("--size-mb and --rounds must be positive") }
        let location: S3Location
        do { location = try S3Location(url: url) } catch { throw ValidationError("--url: \(error)") }
        guard let credentials = AWSCredentials.standard() else {
            throw ValidationError("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        let report = try await S3TransferBenchmark(location: location, credentials: credentials, sizeMiB: sizeMiB, rounds: rounds, aws: aws).run {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(String(
            format: "%d MiB × %d rounds: upload ours %.0f MiB/s vs aws s3 cp %.0f MiB/s (ratio %.2f); presigned download ours %.0f MiB/s vs aws s3 cp %.0f MiB/s (ratio %.2f) (medians)",
            sizeMiB, rounds, report.uploadOurs.median, report.uploadAWS.median, report.uploadRatio,
            report.downloadOurs.median, report.downloadAWS.median, report.downloadRatio
        ))
    }
}

struct AuthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "GET /api/v1/video/task/{id} per second with and without authentication + rate limiting, same process, alternating rounds."
    )

    @Option(help: "Requests per round and side.")
    var requests = 4000

    @Option(help: "Requests in flight at once.")
    var concurrency = 32

    @Option(help: "Rounds per side; medians are reported.")
    var rounds = 3

    func run() async throws {
        guard requests > 0, concurrency > 0, rounds > 0 else {
            throw ValidationError("--requests, --concurrency and --rounds must be positive")
        }
        let report = try await AuthBenchmark(requests: requests, concurrency: concurrency, rounds: rounds).run {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(String(
            format: "GET task, %d requests × %d rounds, concurrency %d: open %.0f req/s, authenticated %.0f req/s (medians); ratio %.2f; errors %d",
            requests, rounds, concurrency, AuthBenchmark.Report.median(report.open), AuthBenchmark.Report.median(report.authenticated),
            report.ratio, report.errors
        ))
    }
}

/// `videogenx bench tracing`: CPU per request span with the OTLP tracer (export included) vs the
/// no-op tracer.
struct TracingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracing",
        abstract: "CPU per request span: VideoGenX's OTLP tracer exporting to --endpoint vs the no-op tracer (make bench-tracing starts a receiver)."
    )

    @Option(help: "OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318.")
    var endpoint: String

    @Option(help: "Spans per round and side.")
    var spans = 200_000

    @Option(help: "Rounds per side; medians are reported.")
    var rounds = 3

    func run() async throws {
        guard spans > 0, rounds > 0 else { throw ValidationError("--spans and --rounds must be positive") }
        let report = try await TracingBenchmark(endpoint: endpoint, spans: spans, rounds: rounds).run {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(String(
            format: "request span, %d × %d rounds: OTLP %.0f ns, no-op %.0f ns of CPU per span (medians); recording + export %.0f ns per span",
            spans, rounds, report.otlp.median, report.noOp.median, report.perSpan
        ))
    }
}
