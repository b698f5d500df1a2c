import Testing
import VideoGenXCore
import VideoGenXScheduler

/// The batch-cap state machine: grows when batches fill, shrinks when the device is hot without
/// a backlog, halves under memory pressure; never leaves 1…max.
@Suite("Batch cap controller")
struct BatchCapControllerTests {
    @Test("Starts at 1 and grows one step per full batch, whatever the utilisation, up to the model's max")
    func grows() {
        var controller = BatchCapController(maxBatchSize: 4)
        #expect(controller.cap == 1)
        #expect(controller.observe(utilisation: 0.5, memory: 0.3, lastBatchFull: true) == .grow(to: 2))
        // A saturated device (busy all the time) with a backlog still grows.
        #expect(controller.observe(utilisation: 1.0, memory: 0.3, lastBatchFull: true) == .grow(to: 3))
        #expect(controller.observe(utilisation: 0.6, memory: 0.3, lastBatchFull: true) == .grow(to: 4))
        #expect(controller.observe(utilisation: 0.1, memory: 0.3, lastBatchFull: true) == .hold)
        #expect(controller.cap == 4)
    }

    @Test("Does not grow when the last batch was not full: more room would not be used")
    func noGrowthWithoutDemand() {
        var controller = BatchCapController(maxBatchSize: 8)
        #expect(controller.observe(utilisation: 0.2, memory: 0.1, lastBatchFull: false) == .hold)
        #expect(controller.cap == 1)
    }

    @Test("Shrinks by one above 90 % utilisation without a backlog, halves above 80 % memory, holds otherwise, never below 1")
    func shrinks() {
        var controller = BatchCapController(maxBatchSize: 8)
        for _ in 0..<7 { _ = controller.observe(utilisation: 0.5, memory: 0.2, lastBatchFull: true) }
        #expect(controller.cap == 8)
        #expect(controller.observe(utilisation: 0.8, memory: 0.5, lastBatchFull: false) == .hold)
        #expect(controller.observe(utilisation: 0.97, memory: 0.5, lastBatchFull: true) == .hold, "backlog at the max: keep it")
        #expect(controller.observe(utilisation: 0.95, memory: 0.5, lastBatchFull: false) == .shrink(to: 7))
        #expect(controller.observe(utilisation: 0.5, memory: 0.85, lastBatchFull: true) == .shrink(to: 3))
        #expect(controller.observe(utilisation: 0.5, memory: 0.9, lastBatchFull: true) == .shrink(to: 1))
        #expect(controller.observe(utilisation: 0.99, memory: 0.99, lastBatchFull: true) == .hold)
        #expect(controller.observe(utilisation: 0.99, memory: 0.5, lastBatchFull: false) == .hold)
        #expect(controller.cap == 1)
    }

    @Test("Memory pressure wins over demand; thresholds are configurable; max is clamped to 1–8")
    func precedenceAndConfiguration() {
        var controller = BatchCapController(maxBatchSize: 20, thresholds: .init(shrinkAboveUtilisation: 0.8, shrinkAboveMemory: 0.6))
        #expect(controller.maxBatchSize == 8)
        #expect(controller.observe(utilisation: 0.4, memory: 0.1, lastBatchFull: true) == .grow(to: 2))
        #expect(controller.observe(utilisation: 0.85, memory: 0.1, lastBatchFull: false) == .shrink(to: 1))
        #expect(controller.observe(utilisation: 0.4, memory: 0.1, lastBatchFull: true) == .grow(to: 2))
        #expect(controller.observe(utilisation: 0.1, memory: 0.7, lastBatchFull: true) == .shrink(to: 1))
        #expect(BatchCapController(maxBatchSize: 0).maxBatchSize == 1)
    }

    @Test("Tasks that differ in model, size, frames, steps, sampler or precision get different batch keys")
    func batchKeys() throws {
        let base = try GenerationRequest(text: "a", params: .init(resolution: "720P", fps: 24, duration: 15, steps: 20, seed: 1)).validated()
        let same = try GenerationRequest(text: "another prompt", params: .init(resolution: "720P", fps: 24, duration: 15, steps: 20, seed: 2)).validated()
        #expect(BatchKey(spec: base, model: "procedural") == BatchKey(spec: same, model: "procedural"))
        #expect(BatchKey(spec: base, model: "procedural") != BatchKey(spec: base, model: "other"))
        #expect(BatchKey(spec: base, model: "procedural") != BatchKey(spec: base, model: "procedural", precision: "fp16"))
        var longer = base
        longer.durationSeconds = 16
        #expect(BatchKey(spec: base, model: "procedural") != BatchKey(spec: longer, model: "procedural"))
        #expect(BatchKey(spec: base, model: "procedural").description == "procedural/720P/360f/20s/auto/fp32")
    }
}
