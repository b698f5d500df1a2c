import Logging
import Synchronization
import Testing
import VideoGenXCore
import VideoGenXInference
import VideoGenXScheduler
import VideoGenXTestSupport

/// The warm model cache: cold vs warm acquires, warm count, memory budget, one load per model.
@Suite("Model cache")
struct ModelCacheTests {
    /// A model that takes `loadDelay` to load and counts its loads and releases.
    final class FakeModel: VideoModel {
        let name: String
        let precision: String
        let loadDelay: Duration
        let loads = Atomic<Int>(0)
        let releases = Atomic<Int>(0)
        var preferredSampler: SamplerChoice { .euler }

        init(name: String, precision: String = "fp32", loadDelay: Duration) {
            self.name = name
            self.precision = precision
            self.loadDelay = loadDelay
        }

        func load(on device: ComputeDevice) async throws {
            try await Task.sleep(for: loadDelay)
            loads.add(1, ordering: .relaxed)
        }

        func generate(_ batch: [GenerationJob], progress: (SamplingProgress) -> Void, frames: (FrameChunk) async throws -> Void) async throws {}

        func release() async {
            releases.add(1, ordering: .relaxed)
        }
    }

    /// Models `names`, each `gib` GiB, and the instances the cache made (one per load).
    final class Registry: Sendable {
        let made = Mutex<[String: [FakeModel]]>([:])

        func descriptors(
            _ names: [String], gib: UInt64 = 1, precisions: [String] = ["fp32"], loadDelay: Duration = .milliseconds(50)
        ) -> [ModelCache.Descriptor] {
            names.map { name in
                ModelCache.Descriptor(name: name, memoryBytes: gib << 30, precisions: precisions) { precision in
                    let model = FakeModel(name: name, precision: precision, loadDelay: loadDelay)
                    self.made.withLock { $0[name, default: []].append(model) }
                    return model
                }
            }
        }

        func instances(_ name: String) -> [FakeModel] { made.withLock { $0[name] ?? [] } }
    }

    static let logger = Logger(label: "test")

    func status(_ cache: ModelCache, _ name: String) -> ModelStatus? {
        cache.statuses.first { $0.name == name }
    }

    @Test("The first use loads the model; later uses are warm (no load) and much faster; both latencies are reported")
    func coldThenWarm() async throws {
        let registry = Registry()
        let cache = ModelCache(device: .cpu, budgetBytes: 8 << 30, warmCount: 2, descriptors: registry.descriptors(["a"]), logger: Self.logger)
        _ = try await cache.acquire("a")
        await cache.release("a")
        for _ in 0..<3 {
            _ = try await cache.acquire("a")
            await cache.release("a")
        }
        let a = try #require(status(cache, "a"))
        #expect(a.loads == 1 && a.uses == 4 && a.loaded && a.inUse == 0)
        let cold = try #require(a.firstUseSeconds)
        let warm = try #require(a.warmSeconds)
        #expect(cold >= 0.05 && warm < cold / 10)
        #expect(registry.instances("a").count == 1)
    }

    @Test("Idle models past the warm count are released, least recently used first; preloading warms a model")
    func warmCount() async throws {
        let registry = Registry()
        let cache = ModelCache(device: .cpu, budgetBytes: 64 << 30, warmCount: 2, descriptors: registry.descriptors(["a", "b", "c"]), logger: Self.logger)
        try await cache.preload(["a"])
        #expect(status(cache, "a")?.loaded == true)
        for name in ["b", "a", "c"] {
            _ = try await cache.acquire(name)
            await cache.release(name)
        }
        // a and c were used last: b goes.
        #expect(status(cache, "b")?.loaded == false)
        #expect(status(cache, "a")?.loaded == true && status(cache, "c")?.loaded == true)
        // The release runs beside the cache (the model's own async unload).
        try await eventually(seconds: 10) { registry.instances("b").first?.releases.load(ordering: .relaxed) == 1 }
    }

    @Test("A load past the memory budget evicts idle models first; a model in use is never evicted, so then the load is refused")
    func memoryBudget() async throws {
        let registry = Registry()
        let cache = ModelCache(device: .cpu, budgetBytes: 10 << 30, warmCount: 5, descriptors: registry.descriptors(["a", "b"], gib: 6), logger: Self.logger)
        _ = try await cache.acquire("a")
        await #expect(throws: ModelError.self) { _ = try await cache.acquire("b") }
        await cache.release("a")
        _ = try await cache.acquire("b")
        #expect(status(cache, "a")?.loaded == false && status(cache, "b")?.loaded == true)
        await cache.release("b")
        await #expect(throws: ModelError.self) { _ = try await cache.acquire("nope") }
    }

    @Test("Concurrent first uses of one model load it once")
    func oneLoad() async throws {
        let registry = Registry()
        let cache = ModelCache(device: .cpu, budgetBytes: 8 << 30, warmCount: 1, descriptors: registry.descriptors(["a"], loadDelay: .milliseconds(200)), logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try await cache.acquire("a") }
            }
            try await group.waitForAll()
        }
        #expect(registry.instances("a").count == 1)
        #expect(status(cache, "a")?.inUse == 4 && status(cache, "a")?.loads == 1)
    }

    @Test("Memory pressure reloads a model at its next precision (at once when idle, after its use otherwise); with none left it is refused")
    func lowerPrecision() async throws {
        let registry = Registry()
        let cache = ModelCache(
            device: .cpu, budgetBytes: 64 << 30, warmCount: 2, descriptors: registry.descriptors(["a"], precisions: ["fp32", "fp16"]) + registry.descriptors(["b"]),
            logger: Self.logger
        )
        _ = try await cache.acquire("a")
        #expect(status(cache, "a")?.precision == "fp32")
        #expect(await cache.reportPressure("a"))
        #expect(status(cache, "a")?.loaded == true, "in use: kept until released")
        await cache.release("a")
        #expect(status(cache, "a")?.loaded == false)
        _ = try await cache.acquire("a")
        await cache.release("a")
        #expect(registry.instances("a").map(\.precision) == ["fp32", "fp16"])
        #expect(status(cache, "a")?.precision == "fp16" && status(cache, "a")?.loads == 2)
        #expect(await cache.reportPressure("a") == false, "no precision below fp16")
        _ = try await cache.acquire("b")
        await cache.release("b")
        #expect(await cache.reportPressure("b") == false)
    }
}
