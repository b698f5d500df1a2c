import Testing
import VideoGenXScheduler

/// The NVML loader. Without a driver (CI) the absence path is what runs; with one (a GPU
/// machine) the real library is read.
@Suite("NVML loader")
struct NVMLTests {
    /// The library opened, or why it could not be.
    private static func open(_ library: String = NVML.libraryName) -> Result<NVML, DeviceError> {
        do {
            return .success(try NVML(library: library))
        } catch {
            return .failure(error)
        }
    }

    @Test("With a driver, GPU 0 reads sane values; without one, loading fails naming the library and what to do")
    func loadsOrExplains() throws {
        switch Self.open() {
        case .success(let nvml):
            let count = try nvml.deviceCount()
            #expect(count >= 1)
            let sample = try nvml.sample(index: 0)
            #expect(!sample.name.isEmpty && sample.memoryTotal > 0 && sample.memoryUsed <= sample.memoryTotal)
            #expect((0...1).contains(sample.utilisation) && (0...120).contains(sample.temperature))
            #expect(throws: DeviceError.self) { try nvml.sample(index: count) }
        case .failure(let error):
            #expect(error.code == .driverMissing)
            #expect(error.message.contains("libnvidia-ml.so.1") && error.message.contains("cpu or simulated device"))
        }
    }

    @Test("A library that is not NVML is refused by name, not called")
    func notNVML() {
        switch Self.open("libc.so.6") {
        case .success:
            Issue.record("libc loaded as NVML")
        case .failure(let error):
            #expect(error.code == .driverMissing && error.message == "libc.so.6 is not NVML: it has no nvmlInit_v2")
        }
    }
}
