import VideoGenXInference

extension ComputeDevice {
    /// Opens NVML when `devices` lists a GPU and checks that every listed GPU exists; `nil`
    /// when no GPU is listed. The library opened here is the one the device monitor reads.
    /// - Throws: ``DeviceError`` naming the device and what is missing.
    public static func openNVML(for devices: [ComputeDevice], open: () throws(DeviceError) -> NVML = { () throws(DeviceError) in try NVML() }) throws(DeviceError) -> NVML? {
        let indices = devices.compactMap { device -> Int? in
            if case .gpu(let index) = device.kind { return index }
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
