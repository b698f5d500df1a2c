#if canImport(Glibc)
import Glibc
#endif

/// NVIDIA's management library (NVML), loaded at run time with `dlopen("libnvidia-ml.so.1")` so
/// the binary runs, and reports clearly, where no driver is installed. Reads a GPU's utilisation,
/// memory, temperature and name — what the device monitor samples every 100 ms.
///
/// `@unchecked Sendable`: every stored property is immutable after `load`, and NVML's functions
/// are documented thread-safe, so calls from any task are safe.
public final class NVML: @unchecked Sendable {
    private typealias InitFn = @convention(c) () -> Int32
    private typealias CountFn = @convention(c) (UnsafeMutablePointer<UInt32>) -> Int32
    private typealias HandleFn = @convention(c) (UInt32, UnsafeMutablePointer<OpaquePointer?>) -> Int32
    /// Fills `nvmlUtilization_t` = `{unsigned int gpu, memory}`, passed as two `UInt32`s.
    private typealias UtilisationFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt32>) -> Int32
    /// Fills `nvmlMemory_t` = `{unsigned long long total, free, used}`, passed as three `UInt64`s.
    private typealias MemoryFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UInt64>) -> Int32
    private typealias TemperatureFn = @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<UInt32>) -> Int32
    private typealias NameFn = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>, UInt32) -> Int32
    private typealias ErrorStringFn = @convention(c) (Int32) -> UnsafePointer<CChar>?

    /// One reading of a GPU.
    public struct Sample: Sendable, Hashable {
        /// The GPU's product name.
        public var name: String
        /// Busy fraction over NVML's last sample period, 0–1.
        public var utilisation: Double
        /// Memory in use, bytes.
        public var memoryUsed: UInt64
        /// Memory in total, bytes.
        public var memoryTotal: UInt64
        /// Core temperature, °C.
        public var temperature: Int
    }

    private let handle: UnsafeMutableRawPointer
    private let shutdown: InitFn
    private let count: CountFn
    private let deviceHandle: HandleFn
    private let utilisation: UtilisationFn
    private let memory: MemoryFn
    private let temperature: TemperatureFn
    private let name: NameFn
    private let errorString: ErrorStringFn

    /// The library name the driver installs.
    public static let libraryName = "libnvidia-ml.so.1"

    /// Opens NVML and initialises it.
    ///
    /// - Parameter library: the shared library to open. Default ``libraryName``.
    /// - Throws: ``DeviceError`` `driverMissing` when the library cannot be opened or lacks
    ///   NVML's functions, `nvmlFailed` when `nvmlInit_v2` fails.
    public init(library: String = NVML.libraryName) throws(DeviceError) {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw DeviceError(code: .driverMissing, message: "no NVIDIA driver: cannot load \(library) (\(reason)); install the driver or configure a cpu or simulated device")
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(DeviceError) -> T {
            guard let pointer = dlsym(handle, name) else {
                dlclose(handle)
                throw DeviceError(code: .driverMissing, message: "\(library) is not NVML: it has no \(name)")
            }
            return unsafeBitCast(pointer, to: type)
        }
        let initialise = try symbol("nvmlInit_v2", as: InitFn.self)
        shutdown = try symbol("nvmlShutdown", as: InitFn.self)
        count = try symbol("nvmlDeviceGetCount_v2", as: CountFn.self)
        deviceHandle = try symbol("nvmlDeviceGetHandleByIndex_v2", as: HandleFn.self)
        utilisation = try symbol("nvmlDeviceGetUtilizationRates", as: UtilisationFn.self)
        memory = try symbol("nvmlDeviceGetMemoryInfo", as: MemoryFn.self)
        temperature = try symbol("nvmlDeviceGetTemperature", as: TemperatureFn.self)
        name = try symbol("nvmlDeviceGetName", as: NameFn.self)
        errorString = try symbol("nvmlErrorString", as: ErrorStringFn.self)
        self.handle = handle
        let status = initialise()
        if status != 0 {
            let message = errorString(status).map { String(cString: $0) } ?? "error \(status)"
            dlclose(handle)
            throw DeviceError(code: .nvmlFailed, message: "nvmlInit_v2 failed: \(message)")
        }
    }

    deinit {
        _ = shutdown()
        dlclose(handle)
    }

    /// The number of GPUs NVML sees.
    public func deviceCount() throws(DeviceError) -> Int {
        var value: UInt32 = 0
        try check(count(&value), "nvmlDeviceGetCount_v2")
        return Int(value)
    }

    /// Reads GPU `index` now.
    /// - Throws: ``DeviceError`` `noSuchDevice` for an index NVML does not know, `nvmlFailed` otherwise.
    public func sample(index: Int) throws(DeviceError) -> Sample {
        guard index >= 0, index < (try deviceCount()) else {
            throw DeviceError(code: .noSuchDevice, message: "no GPU \(index): NVML sees \((try? deviceCount()) ?? 0)")
        }
        var device: OpaquePointer?
        try check(deviceHandle(UInt32(index), &device), "nvmlDeviceGetHandleByIndex_v2")
        var rates: [UInt32] = [0, 0]
        try check(utilisation(device, &rates), "nvmlDeviceGetUtilizationRates")
        var info: [UInt64] = [0, 0, 0]
        try check(memory(device, &info), "nvmlDeviceGetMemoryInfo")
        var celsius: UInt32 = 0
        try check(temperature(device, 0, &celsius), "nvmlDeviceGetTemperature")
        var buffer = [CChar](repeating: 0, count: 96)
        try check(name(device, &buffer, UInt32(buffer.count)), "nvmlDeviceGetName")
        let productName = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Sample(
            name: productName, utilisation: Double(rates[0]) / 100, memoryUsed: info[2], memoryTotal: info[0], temperature: Int(celsius)
        )
    }

    private func check(_ status: Int32, _ function: String) throws(DeviceError) {
        guard status != 0 else { return }
        let message = errorString(status).map { String(cString: $0) } ?? "error \(status)"
        throw DeviceError(code: .nvmlFailed, message: "\(function) failed: \(message)")
    }
}
