#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ONNX Runtime's C library, opened at run time (`dlopen`), and its API table: the function
/// pointers of `OrtApi`, read by slot (``OrtSlot``). Only version-1 slots are used, whose order
/// the runtime never changes; any runtime of API version ≥ 1 works, 1.31 is what `make deps`
/// installs. Opened once per path and never closed (sessions keep using it).
public final class OrtLibrary: @unchecked Sendable {
    // Safe to share: the handle and the table are read-only after `init`, and ONNX Runtime's
    // API functions are thread-safe for the objects this backend uses (an env, sessions, values).
    private let handle: UnsafeMutableRawPointer
    let table: UnsafePointer<UnsafeRawPointer?>
    /// The runtime's version, e.g. `1.31.1`.
    public let version: String
    /// The path it was opened from.
    public let path: String

    /// Opens the library at `path`.
    /// - Throws: ``OnnxError`` `onnx_library_missing` (no such file or not loadable, with
    ///   `dlerror`'s words) or `onnx_library_unsupported` (no `OrtGetApiBase`, or no API table).
    public init(path: String) throws {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw OnnxError(code: "onnx_library_missing", message: "cannot load ONNX Runtime from \(path): \(reason)")
        }
        guard let symbol = dlsym(handle, "OrtGetApiBase") else {
            throw OnnxError(code: "onnx_library_unsupported", message: "\(path) is not ONNX Runtime (no OrtGetApiBase)")
        }
        typealias GetApiBase = @convention(c) () -> UnsafePointer<UnsafeRawPointer?>?
        typealias GetApi = @convention(c) (UInt32) -> UnsafePointer<UnsafeRawPointer?>?
        typealias GetVersion = @convention(c) () -> UnsafePointer<CChar>?
        // OrtApiBase is { GetApi, GetVersionString }.
        guard let base = unsafeBitCast(symbol, to: GetApiBase.self)(), let getApi = base[0], let getVersion = base[1],
              let table = unsafeBitCast(getApi, to: GetApi.self)(1)
        else {
            throw OnnxError(code: "onnx_library_unsupported", message: "\(path) offers no ONNX Runtime API table of version 1")
        }
        self.handle = handle
        self.table = table
        self.path = path
        version = unsafeBitCast(getVersion, to: GetVersion.self)().map { String(cString: $0) } ?? "unknown"
    }

    /// The function in `slot`, as the C function type `F`.
    func function<F>(_ slot: OrtSlot, as type: F.Type) -> F {
        guard let pointer = table[slot.rawValue] else {
            preconditionFailure("ONNX Runtime's API table has no function in slot \(slot)")
        }
        return unsafeBitCast(pointer, to: type)
    }
}
