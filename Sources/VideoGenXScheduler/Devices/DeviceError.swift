/// Why a device could not be opened or read.
public struct DeviceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable, Hashable {
        /// The NVIDIA driver's management library is not installed (or is not NVML).
        case driverMissing = "driver_missing"
        /// NVML answered an error.
        case nvmlFailed = "nvml_failed"
        /// No GPU with the requested index.
        case noSuchDevice = "no_such_device"
        /// The device stopped answering (lost, or taken offline).
        case offline
        /// The device failed a batch.
        case batchFailed = "batch_failed"
        /// A sampler step ran past the step watchdog (a hung kernel).
        case hung
    }

    /// What went wrong.
    public var code: Code
    /// A message for the operator, naming the library or device.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `message`.
    public var description: String { message }
}
