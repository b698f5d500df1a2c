/// A device a model runs on: the CPU, a GPU, or a simulated device for tests and benchmarks.
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
    /// A human-readable name, e.g. `cpu` or `cuda:0`.
    public var name: String

    /// Creates a device description.
    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    /// The host CPU.
    public static let cpu = ComputeDevice(kind: .cpu, name: "cpu")

    /// The device's name.
    public var description: String { name }
}
