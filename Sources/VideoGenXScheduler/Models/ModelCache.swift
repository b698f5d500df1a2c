import Logging
import Metrics
import Synchronization
import Tracing
import VideoGenXCore
import VideoGenXInference

/// A device's warm model cache (DESIGN §5): models are loaded on first use and stay loaded; the
/// `warmCount` most recently used idle models are kept, older idle ones are released, and a load
/// that would pass the memory budget first evicts idle models, least recently used first. A
/// model in use is never evicted. A model under memory pressure is reloaded at its next lower
/// precision when its descriptor lists one. Cold (first-use) and warm acquire latencies are
/// logged and reported by ``statuses``.
public actor ModelCache {
    /// A model the cache can load.
    public struct Descriptor: Sendable {
        /// Registry name.
        public var name: String
        /// Device memory the loaded model holds at its first precision, in bytes (its estimate);
        /// each lower precision is taken to need half of the one before.
        public var memoryBytes: UInt64
        /// Numeric precisions the model may run at, preferred first (e.g. `fp32`, `fp16`); a
        /// model under memory pressure is reloaded at the next one. Default `fp32` only.
        public var precisions: [String]
        /// A new, unloaded instance at a precision.
        public var make: @Sendable (_ precision: String) -> any VideoModel

        /// Describes a model.
        public init(name: String, memoryBytes: UInt64, precisions: [String] = ["fp32"], make: @escaping @Sendable (_ precision: String) -> any VideoModel) {
            self.name = name
            self.memoryBytes = memoryBytes
            self.precisions = precisions.isEmpty ? ["fp32"] : precisions
            self.make = make
        }

        /// The estimate at precision number `level`.
        func memory(at level: Int) -> UInt64 {
            memoryBytes >> UInt64(max(0, level))
        }

        /// Precision number `level` (the last one past the end).
        func precision(at level: Int) -> String {
            precisions[min(max(0, level), precisions.count - 1)]
        }
    }

    private struct Entry {
        var model: any VideoModel
        var level: Int
        var inUse = 0
        var lastUse: UInt64
        /// Memory pressure was reported while in use: evict when released.
        var reloadWhenIdle = false
    }

    private let device: ComputeDevice
    private let budgetBytes: UInt64
    private let warmCount: Int
    private let descriptors: [String: Descriptor]
    private let logger: Logger
    private var loaded: [String: Entry] = [:]
    private var loading: [String: Task<any VideoModel, any Error>] = [:]
    private var tick: UInt64 = 0
    /// The precision level each model loads at next (0: its first precision).
    private var levels: [String: Int] = [:]
    private let report: Mutex<[String: ModelStatus]>

    /// Creates an empty cache for `device`.
    ///
    /// - Parameters:
    ///   - budgetBytes: device memory the loaded models may hold together.
    ///   - warmCount: idle models kept loaded (the most recently used); at least 1.
    public init(device: ComputeDevice, budgetBytes: UInt64, warmCount: Int, descriptors: [Descriptor], logger: Logger) {
        self.device = device
        self.budgetBytes = budgetBytes
        self.warmCount = max(1, warmCount)
        self.descriptors = Dictionary(descriptors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.logger = logger
        report = Mutex(Dictionary(uniqueKeysWithValues: descriptors.map {
            ($0.name, ModelStatus(name: $0.name, loaded: false, inUse: 0, uses: 0, loads: 0, firstUseSeconds: nil, warmSeconds: nil, device: device.name))
        }))
    }

    /// Every known model's status, sorted by name (readable from any thread).
    public nonisolated var statuses: [ModelStatus] {
        report.withLock { $0.values.sorted { $0.name < $1.name } }
    }

    /// Loads `names` now (start-up preloading), leaving them idle and warm.
    public func preload(_ names: [String]) async throws {
        for name in names {
            _ = try await acquire(name)
            release(name)
        }
    }

    /// The loaded model called `name`, loading it first if needed; pair with ``release(_:)``.
    ///
    /// - Throws: ``ModelError`` `unknown_model`, `model_cache_full` (the idle models cannot make
    ///   room within the budget), or the model's load error.
    ///
    /// Traced as `model.acquire` (attribute `videogenx.model.kind`: `cold` or `warm`) under the
    /// caller's current span.
    public func acquire(_ name: String) async throws -> any VideoModel {
        let span = startSpan("model.acquire", context: ServiceContext.current ?? .topLevel)
        span.attributes["videogenx.model"] = name
        span.attributes["videogenx.model.kind"] = loaded[name] == nil ? "cold" : "warm"
        defer { span.end() }
        let clock = ContinuousClock()
        let start = clock.now
        tick += 1
        if var entry = loaded[name] {
            entry.inUse += 1
            entry.lastUse = tick
            loaded[name] = entry
            let seconds = (clock.now - start) / .seconds(1)
            update(name) { $0.uses += 1; $0.inUse = entry.inUse; $0.warmSeconds = seconds }
            Self.recordAcquire(name, kind: "warm", duration: clock.now - start)
            return entry.model
        }
        let task: Task<any VideoModel, any Error>
        if let pending = loading[name] {
            task = pending
        } else {
            guard let descriptor = descriptors[name] else {
                throw ModelError(code: "unknown_model", message: "no model called '\(name)' is registered")
            }
            let level = levels[name] ?? 0
            try makeRoom(for: descriptor, level: level)
            let device = self.device
            let precision = descriptor.precision(at: level)
            task = Task { () async throws -> any VideoModel in
                let model = descriptor.make(precision)
                try await model.load(on: device)
                return model
            }
            loading[name] = task
        }
        let model: any VideoModel
        do {
            model = try await task.value
        } catch {
            loading[name] = nil
            throw error
        }
        loading[name] = nil
        tick += 1
        var entry = loaded[name] ?? Entry(model: model, level: levels[name] ?? 0, lastUse: tick)
        let wasLoaded = loaded[name] != nil
        entry.inUse += 1
        entry.lastUse = tick
        loaded[name] = entry
        let seconds = (clock.now - start) / .seconds(1)
        Self.recordAcquire(name, kind: wasLoaded ? "warm" : "cold", duration: clock.now - start)
        update(name) { status in
            status.uses += 1
            status.inUse = entry.inUse
            status.loaded = true
            if !wasLoaded {
                status.loads += 1
                status.firstUseSeconds = seconds
                status.precision = self.descriptors[name]?.precision(at: entry.level)
            }
        }
        if !wasLoaded {
            logger.info("model loaded", metadata: ["model": "\(name)", "device": "\(device)", "model.load_seconds": "\(seconds)"])
        }
        return entry.model
    }

    /// `videogenx_model_load_duration_seconds{model,kind}`: one acquire's wait.
    private static func recordAcquire(_ name: String, kind: String, duration: Duration) {
        Timer(label: "videogenx_model_load_duration_seconds", dimensions: [("model", name), ("kind", kind)]).record(duration: duration)
    }

    /// Memory pressure reported by `name` (e.g. an out-of-memory error): when its descriptor
    /// allows a lower precision, it is reloaded at it — now if idle, else once released.
    /// - Returns: whether a lower precision was available.
    @discardableResult
    public func reportPressure(_ name: String) -> Bool {
        guard let descriptor = descriptors[name] else { return false }
        let current = loaded[name]?.level ?? levels[name] ?? 0
        guard current + 1 < descriptor.precisions.count else { return false }
        levels[name] = current + 1
        logger.warning(
            "model under memory pressure: reloading at a lower precision",
            metadata: ["model": "\(name)", "model.precision": "\(descriptor.precision(at: current + 1))"]
        )
        if let entry = loaded[name] {
            if entry.inUse == 0 {
                evict(name)
            } else {
                loaded[name]?.reloadWhenIdle = true
            }
        }
        return true
    }

    /// Ends one use of `name`; idle models past the warm count are released, oldest first.
    public func release(_ name: String) {
        guard var entry = loaded[name] else { return }
        entry.inUse = max(0, entry.inUse - 1)
        loaded[name] = entry
        update(name) { $0.inUse = entry.inUse }
        if entry.inUse == 0, entry.reloadWhenIdle {
            evict(name)
        }
        let idle = loaded.filter { $0.value.inUse == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (victim, _) in idle.dropLast(warmCount) {
            evict(victim)
        }
    }

    /// Evicts idle models, least recently used first, until `descriptor` fits in the budget.
    private func makeRoom(for descriptor: Descriptor, level: Int) throws {
        func used() -> UInt64 {
            loaded.reduce(0) { $0 + (descriptors[$1.key]?.memory(at: $1.value.level) ?? 0) }
                + loading.keys.reduce(0) { $0 + (descriptors[$1]?.memory(at: levels[$1] ?? 0) ?? 0) }
        }
        var idle = loaded.filter { $0.value.inUse == 0 }.sorted { $0.value.lastUse < $1.value.lastUse }.map(\.key)
        let needed = descriptor.memory(at: level)
        while used() + needed > budgetBytes {
            guard !idle.isEmpty else {
                throw ModelError(
                    code: "model_cache_full",
                    message: "'\(descriptor.name)' needs \(needed) bytes and the models in use leave less of the \(budgetBytes)-byte budget"
                )
            }
            evict(idle.removeFirst())
        }
    }

    private func evict(_ name: String) {
        guard let entry = loaded.removeValue(forKey: name) else { return }
        update(name) { $0.loaded = false }
        logger.info("model evicted", metadata: ["model": "\(name)", "device": "\(device)"])
        Task { await entry.model.release() }
    }

    private func update(_ name: String, _ change: (inout ModelStatus) -> Void) {
        report.withLock { report in
            var status = report[name] ?? ModelStatus(name: name, loaded: false, inUse: 0, uses: 0, loads: 0, firstUseSeconds: nil, warmSeconds: nil, device: device.name)
            change(&status)
            report[name] = status
        }
    }
}
