import ArgumentParser
import Foundation
import VideoGenXCore
import VideoGenXPlatform

/// `videogenx models`: the model registry — the built-in model and every config in the models
/// folder — with what each renders and whether it can run here (and why not).
struct ModelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the registered models: name, backend, version, precision variants, and whether each can run here."
    )

    @Option(help: "Folder of model configs (*.yaml); VIDEOGENX_MODELS_DIR when set.")
    var modelsDir = ProcessInfo.processInfo.environment["VIDEOGENX_MODELS_DIR"] ?? "models"

    @Option(help: "ONNX Runtime's shared library (default: VIDEOGENX_ONNX_LIBRARY, else the onnxruntime wheel's in ./.venv-models).")
    var onnxLibrary: String?

    @Flag(help: "Print JSON (as GET /api/v1/models answers) instead of a table.")
    var json = false

    func run() async throws {
        var onnx = OnnxSettings()
        onnx.library = onnxLibrary ?? ProcessInfo.processInfo.environment["VIDEOGENX_ONNX_LIBRARY"]
        let registry: ModelRegistry
        do {
            registry = try ModelRegistry.load(directory: URL(fileURLWithPath: modelsDir), availability: ModelRegistry.availability(onnx))
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("error: \(error.key): \(error.reason)\n".utf8))
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(registry.listings), as: UTF8.self))
            return
        }
        print("NAME\tBACKEND\tVERSION\tVARIANTS\tRESOLUTIONS\tFPS\tMAX_BATCH\tRUNS_HERE")
        for model in registry.listings {
            let here = model.available ? "yes" : "no: \(model.unavailableReason ?? "")"
            print([
                model.name, model.backend, model.version, model.variants.joined(separator: ","),
                model.capabilities.resolutions.map(\.rawValue).joined(separator: ","), model.capabilities.frameRates.map(String.init).joined(separator: ","),
                String(model.maxBatch), here,
            ].joined(separator: "\t"))
        }
    }
}
