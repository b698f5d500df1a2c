/// What a simulated device charges for work: one sampler step of a batch of `n` videos costs
/// `(a + b·n)` seconds per latent frame, and a batch holds `base + perItem·n` bytes of memory.
/// With `a = 11/3·b`, a batch of 8 costs 2.5× a batch of 1 (the benchmark model).
public struct DeviceCostModel: Sendable, Hashable {
    /// Fixed seconds per step per latent frame (kernel launches, weights streamed once).
    public var fixedSeconds: Double
    /// Seconds per step per latent frame per video in the batch.
    public var perItemSeconds: Double
    /// Bytes a loaded model holds on the device.
    public var baseMemory: UInt64
    /// Bytes each video of a batch adds.
    public var perItemMemory: UInt64
    /// The device's memory in bytes.
    public var totalMemory: UInt64

    /// Creates a cost model.
    public init(fixedSeconds: Double, perItemSeconds: Double, baseMemory: UInt64, perItemMemory: UInt64, totalMemory: UInt64) {
        self.fixedSeconds = fixedSeconds
        self.perItemSeconds = perItemSeconds
        self.baseMemory = baseMemory
        self.perItemMemory = perItemMemory
        self.totalMemory = totalMemory
    }

    /// Seconds one sampler step of a batch of `batch` videos with `latentFrames` frames takes.
    public func stepSeconds(batch: Int, latentFrames: Int) -> Double {
        (fixedSeconds + perItemSeconds * Double(batch)) * Double(latentFrames)
    }

    /// Bytes in use while a batch of `batch` videos runs (the model alone when 0).
    public func memory(batch: Int) -> UInt64 {
        baseMemory + perItemMemory * UInt64(max(0, batch))
    }

    /// Throughput of a batch of `batch` relative to running its videos one at a time
    /// (`batch × cost(1) / cost(batch)`): 3.2 for a batch of 8 when it costs 2.5× a batch of 1.
    public func speedup(batch: Int) -> Double {
        Double(batch) * stepSeconds(batch: 1, latentFrames: 1) / stepSeconds(batch: batch, latentFrames: 1)
    }
}
