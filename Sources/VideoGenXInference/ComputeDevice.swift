/// A device of the node — the CPU, an NVIDIA GPU by index, or a simulated device for tests and
/// benchmarks — as configured (`worker.devices`), monitored, and given to models to load on.
public struct ComputeDevice: Sendable, Hashable, CustomStringConvertible {
    /// The kind of a device.
    public enum Kind: Sendable, Hashable {
        /// The host CPU.
        case cpu
        /// A GPU, by index on its node.
        case gpu(index: Int)
        /// A simulated device (tests, benchmarks).
        case simulated
    }

    /// What kind of device this is.
    public var kind: Kind
    /// Its name and configuration spelling: `cpu`, `gpu:N`, `simulated`.
    public var name: String

    /// Creates a device description.
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// Parses `cpu`, `gpu:N` (N 0–63) or `simulated`; `nil` for anything else.
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

    /// The host CPU.
    public static let cpu = ComputeDevice(kind: .cpu, name: "cpu")

    /// A simulated device with a cost model.
    public static let simulated = ComputeDevice(kind: .simulated, name: "simulated")

    /// NVIDIA GPU number `index`.
    public static func gpu(index: Int) -> ComputeDevice {
        ComputeDevice(kind: .gpu(index: index), name: "gpu:\(index)")
    }

    /// The device's name.
    public var description: String { name }
}
