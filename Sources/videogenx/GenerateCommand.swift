import ArgumentParser
import Foundation
import VideoGenXCore
import VideoGenXMedia
import VideoGenXPlatform
import VideoGenXScheduler

/// `videogenx generate`: prompt in, MP4 out, no server. Runs a registered model (the built-in
/// procedural reference model by default) and the same encoder the platform uses.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a video from a prompt with a registered model (default: the built-in procedural reference model).",
        discussion: """
            Unset parameters take the API's defaults (1080P, 30 fps, 30 s, 50 steps, cfg 7.5, \
            sampler auto, style natural). Unlike the API, clips may be 1–60 s and use 1–100 steps. \
            Progress goes to stderr; the last line on stdout names the file.
            """
    )

    @Argument(help: "The prompt, 1–2000 characters.")
    var prompt: String

    @Option(name: .shortAndLong, help: "Output MP4 path; missing directories are created.")
    var output: String = "out/video.mp4"

    @OptionGroup(title: "Generation parameters")
    var parameters: GenerationOptions

    @OptionGroup(title: "Finishing (subtitles, watermark, music, colour, output)")
    var finishing: FinishingOptions

    @Option(help: "Registered model to run: procedural, or one declared in --models-dir (videogenx models lists them).")
    var model = "procedural"

    @Option(help: "Folder of model configs (*.yaml).")
    var modelsDir = "models"

    @Option(help: "ONNX Runtime's shared library (default: the onnxruntime wheel's in ./.venv-models).")
    var onnxLibrary: String?

    @Flag(name: .shortAndLong, help: "No progress bar.")
    var quiet = false

    func run() async throws {
        var onnx = OnnxSettings()
        onnx.library = onnxLibrary
        let renderer: VideoRenderer
        let limits: GenerationLimits
        do {
            (renderer, limits) = try OneShotRenderer.make(modelNamed: model, modelsDirectory: URL(fileURLWithPath: modelsDir), onnx: onnx)
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: \(error.key): \(error.reason)\n".utf8))
            throw ExitCode(2)
        }
        let spec = try validatedSpec(limits: limits)
        try createParentDirectory(of: output)
        let bar = ProgressBar(enabled: !quiet)
        do {
            let summary = try await renderer.render(spec, to: output) { bar.update($0) }
            bar.finish()
            let megabytes = Double(summary.bytes) / 1_048_576
            print(String(
                format: "wrote %@ (%.2f MB, %d frames, %dx%d @ %d fps, %@, seed %llu, sampler %@) in %.1f s (model %.1f s, waiting on encoder %.1f s), peak RSS %.0f MB",
                summary.path, megabytes, summary.frames, spec.resolution.width, spec.resolution.height, spec.fps,
                spec.output.codec.rawValue, summary.seed, summary.sampler, summary.totalSeconds, summary.modelSeconds,
                summary.encoderWaitSeconds, Self.peakResidentMegabytes()
            ))
        } catch let error as MediaError {
            bar.finish()
            throw RuntimeFailure(message: error.description)
        } catch let error as AssetError {
            bar.finish()
            throw RuntimeFailure(message: error.description)
        } catch let error as CocoaError {
            bar.finish()
            throw RuntimeFailure(message: error.localizedDescription)
        }
    }

    /// Builds and validates the request; prints every problem and exits 2 when it is invalid.
    private func validatedSpec(limits: GenerationLimits) throws -> GenerationSpec {
        let request = GenerationRequest(text: prompt, params: try finishing.apply(to: parameters.parameters))
        do {
            return try request.validated(limits: limits)
        } catch {
            for issue in error.issues {
                FileHandle.standardError.write(Data("error: \(issue)\n".utf8))
            }
            throw ExitCode(2)
        }
    }

    /// Peak resident memory of this process (not ffmpeg's) in MiB.
    private static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    private func createParentDirectory(of path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RuntimeFailure(message: "cannot create \(directory.path): \(error.localizedDescription)")
        }
    }
}
