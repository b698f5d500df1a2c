/// The ranges a request is validated against. The platform's are configuration; the one-shot
/// CLI and tests use looser ones so that short, cheap clips are possible.
public struct GenerationLimits: Sendable, Hashable {
    /// Allowed prompt length in characters. Default 1–2000.
    public var textLength: ClosedRange<Int>
    /// Allowed clip length in whole seconds. Platform default 15–60.
    public var durationSeconds: ClosedRange<Int>
    /// Allowed number of sampler steps. Platform default 20–100.
    public var steps: ClosedRange<Int>
    /// Allowed frame rates. Default 24 and 30.
    public var frameRates: [Int]
    /// Allowed resolutions. Default all (720P, 1080P, 4K).
    public var resolutions: [Resolution]
    /// Largest accepted `image` reference (URL or data URI) in characters. Default 10 MiB.
    public var maxImageReferenceLength: Int
    /// The models a request may name in `params.model`, by name. Default the built-in
    /// procedural model only.
    public var models: [String: ModelCapabilities]
    /// The model of a request that names none. Default `procedural`.
    public var defaultModel: String

    /// Creates limits; every argument defaults to the platform's value.
    public init(
        textLength: ClosedRange<Int> = 1...2000,
        durationSeconds: ClosedRange<Int> = 15...60,
        steps: ClosedRange<Int> = 20...100,
        frameRates: [Int] = [24, 30],
        resolutions: [Resolution] = Resolution.allCases,
        maxImageReferenceLength: Int = 10 * 1024 * 1024,
        models: [ModelCapabilities] = [.procedural], defaultModel: String = ModelCapabilities.proceduralName
    ) {
        self.models = Dictionary(models.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultModel = defaultModel
        self.resolutions = resolutions
        self.textLength = textLength
        self.durationSeconds = durationSeconds
        self.steps = steps
        self.frameRates = frameRates
        self.maxImageReferenceLength = maxImageReferenceLength
    }

    /// The limits the API applies by default (DESIGN §9): 15–60 s, 20–100 steps.
    public static let platform = GenerationLimits()

    /// The limits of `videogenx generate` and tests: clips down to 1 s, as few as 1 step.
    public static let oneShot = GenerationLimits(durationSeconds: 1...60, steps: 1...100)
}
