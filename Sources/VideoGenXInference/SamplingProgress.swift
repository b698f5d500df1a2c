/// Progress of a generation, reported after every sampler step and every decoded chunk.
public struct SamplingProgress: Sendable, Hashable {
    /// Index of the job in its batch.
    public var jobIndex: Int
    /// The latent window being sampled (long videos are sampled a window at a time).
    public var window: Int
    /// Number of windows in the video.
    public var windowCount: Int
    /// Sampler steps finished in this window.
    public var step: Int
    /// Sampler steps per window.
    public var steps: Int

    /// Creates a progress report.
    public init(jobIndex: Int, window: Int, windowCount: Int, step: Int, steps: Int) {
        self.jobIndex = jobIndex
        self.window = window
        self.windowCount = windowCount
        self.step = step
        self.steps = steps
    }

    /// Fraction of all sampler steps of the job done, 0–1.
    public var fraction: Double {
        let total = Double(windowCount * steps)
        guard total > 0 else { return 1 }
        return Double(window * steps + step) / total
    }
}
