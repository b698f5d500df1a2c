import VideoGenXInference

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
}
