/// A device the worker is configured to run on (configuration key `worker.devices`): `cpu`,
/// `gpu:N` (an NVIDIA GPU by index, monitored through NVML) or `simulated` (tests, benchmarks).
public enum DeviceSpec: Sendable, Hashable, CustomStringConvertible {
    /// The host CPU.
    case cpu
    /// NVIDIA GPU number `index`.
    case gpu(index: Int)
    /// A simulated device with a cost model.
    case simulated

    /// Parses `cpu`, `gpu:N` or `simulated`; `nil` for anything else.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "cpu": self = .cpu
        case "simulated": self = .simulated
        case let value where value.hasPrefix("gpu:"):
            guard let index = Int(value.dropFirst(4)), (0...63).contains(index) else { return nil }
            self = .gpu(index: index)
        default: return nil
        }
    }

    /// The configuration spelling.
    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .gpu(let index): "gpu:\(index)"
        case .simulated: "simulated"
        }
    }

    /// Opens NVML when `devices` lists a GPU and checks that every listed GPU exists; `nil`
    /// when no GPU is listed. The library opened here is the one the device monitor reads.
    /// - Throws: ``DeviceError`` naming the device and what is missing.
    public static func openNVML(for devices: [DeviceSpec], open: () throws(DeviceError) -> NVML = { () throws(DeviceError) in try NVML() }) throws(DeviceError) -> NVML? {
        let indices = devices.compactMap { device -> Int? in
            if case .gpu(let index) = device { return index }
            return nil
        }
        guard let highest = indices.max() else { return nil }
        let nvml = try open()
        let count = try nvml.deviceCount()
        if highest >= count {
            throw DeviceError(code: .noSuchDevice, message: "gpu:\(highest) is configured but NVML sees \(count) GPU(s)")
        }
        return nvml
    }
}
