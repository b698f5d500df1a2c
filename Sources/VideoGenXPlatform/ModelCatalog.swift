import VideoGenXInference
import VideoGenXScheduler

/// The models this build can run, by registry name. The composition root is the only place
/// that constructs concrete models.
public enum ModelCatalog {
    /// Names of the available models.
    public static let names = [ProceduralModel.modelName]

    /// A new, unloaded instance of the model called `name`, or `nil` if there is none.
    public static func makeModel(named name: String) -> (any VideoModel)? {
        switch name {
        case ProceduralModel.modelName: ProceduralModel()
        default: nil
        }
    }

    /// Every model as the warm model cache loads it, with its device-memory estimate (the
    /// procedural model holds no weights: its sampler windows, ~64 MiB at most; it has one
    /// precision, fp32).
    public static var descriptors: [ModelCache.Descriptor] {
        names.map { name in
            ModelCache.Descriptor(name: name, memoryBytes: 64 << 20) { _ in makeModel(named: name) ?? ProceduralModel() }
        }
    }
}
