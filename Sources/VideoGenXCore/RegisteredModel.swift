/// A model of the registry as `videogenx models` and `GET /api/v1/models` show it: what it is,
/// what it renders, and whether this node can run it (and why not).
public struct RegisteredModel: Sendable, Hashable, Codable {
    /// Registry name (`params.model`).
    public var name: String
    /// `procedural` or `onnx`.
    public var backend: String
    /// The model's version.
    public var version: String
    /// One line on what it is.
    public var description: String?
    /// Precision variants, preferred first.
    public var variants: [String]
    /// The largest batch it takes.
    public var maxBatch: Int
    /// Device memory one task needs, in MiB.
    public var memoryMBPerTask: Int
    /// What requests for it are validated against.
    public var capabilities: ModelCapabilities
    /// Whether this node can run it.
    public var available: Bool
    /// Why not, and what to do, when it cannot.
    public var unavailableReason: String?

    /// Describes a registered model.
    public init(
        name: String, backend: String, version: String, description: String?, variants: [String], maxBatch: Int, memoryMBPerTask: Int,
        capabilities: ModelCapabilities, available: Bool, unavailableReason: String?
    ) {
        self.name = name
        self.backend = backend
        self.version = version
        self.description = description
        self.variants = variants
        self.maxBatch = maxBatch
        self.memoryMBPerTask = memoryMBPerTask
        self.capabilities = capabilities
        self.available = available
        self.unavailableReason = unavailableReason
    }
}

extension RegisteredModel {
    /// The built-in procedural model as listed when no registry was read.
    public static let builtInProcedural = RegisteredModel(
        name: ModelCapabilities.proceduralName, backend: "procedural", version: "builtin",
        description: "built-in analytic reference model: no weights, deterministic, CPU", variants: ["fp32"], maxBatch: 8,
        memoryMBPerTask: 64, capabilities: .procedural, available: true, unavailableReason: nil
    )
}
