#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One loaded graph (a model component on a device): its declared inputs and outputs, and
/// `run`, which feeds named tensors and returns the outputs asked for. ONNX Runtime allows
/// concurrent runs of one session.
public final class OnnxSession: @unchecked Sendable {
    // Safe to share: the session pointer is only passed to ONNX Runtime's Run (thread-safe per
    // its documentation) and released in deinit; the specs are immutable.
    private let runtime: OnnxRuntime
    private let session: OpaquePointer
    /// The graph file.
    public let path: String
    /// The inputs the graph declares, in order.
    public let inputs: [OnnxTensorSpec]
    /// The outputs the graph declares, in order.
    public let outputs: [OnnxTensorSpec]

    private typealias Status = OpaquePointer?
    private var library: OrtLibrary { runtime.library }

    init(runtime: OnnxRuntime, session: OpaquePointer, path: String) throws {
        self.runtime = runtime
        self.session = session
        self.path = path
        do {
            inputs = try Self.specs(runtime: runtime, session: session, outputs: false)
            outputs = try Self.specs(runtime: runtime, session: session, outputs: true)
        } catch {
            runtime.library.function(.releaseSession, as: (@convention(c) (OpaquePointer) -> Void).self)(session)
            throw error
        }
    }

    deinit {
        library.function(.releaseSession, as: (@convention(c) (OpaquePointer) -> Void).self)(session)
    }

    /// Runs the graph on `feeds` (every declared input, by name) and returns `fetch` (default:
    /// every declared output), by name.
    /// - Throws: ``OnnxError`` `onnx_tensor_mismatch` for a missing or mistyped input,
    ///   `onnx_run_failed` with the runtime's reason, or `out_of_memory`.
    public func run(_ feeds: [String: OnnxTensor], fetch: [String]? = nil) throws -> [String: OnnxTensor] {
        for spec in inputs {
            guard let tensor = feeds[spec.name] else {
                throw OnnxError(code: "onnx_tensor_mismatch", message: "\(path): input \(spec) was not given")
            }
            guard tensor.elementType == spec.elementType, tensor.shape.count == spec.shape.count,
                  zip(tensor.shape, spec.shape).allSatisfy({ $1 < 0 || $0 == $1 })
            else {
                throw OnnxError(
                    code: "onnx_tensor_mismatch",
                    message: "\(path): input \(spec.name) must be \(spec), got \(tensor.elementType)\(tensor.shape)"
                )
            }
        }
        let fetch = fetch ?? outputs.map(\.name)
        let memory = try cpuMemoryInfo()
        defer { library.function(.releaseMemoryInfo, as: (@convention(c) (OpaquePointer) -> Void).self)(memory) }
        var fed = feeds.filter { name, _ in inputs.contains { $0.name == name } }.sorted { $0.key < $1.key }
        // Values borrow the tensors' storage: keep it alive and unmoved until the run returns.
        var values: [OpaquePointer?] = []
        defer {
            for value in values { if let value { releaseValue(value) } }
        }
        for index in fed.indices {
            values.append(try makeValue(&fed[index].value, memory: memory))
        }
        var results = [OpaquePointer?](repeating: nil, count: fetch.count)
        typealias Run = @convention(c) (
            OpaquePointer, OpaquePointer?, UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<OpaquePointer?>, Int,
            UnsafePointer<UnsafePointer<CChar>?>, Int, UnsafeMutablePointer<OpaquePointer?>
        ) -> Status
        let status = withCStrings(fed.map(\.key)) { inputNames in
            withCStrings(fetch) { outputNames in
                library.function(.run, as: Run.self)(session, nil, inputNames, values, values.count, outputNames, fetch.count, &results)
            }
        }
        defer {
            for value in results { if let value { releaseValue(value) } }
        }
        try runtime.check(status, "running \(path)", code: "onnx_run_failed")
        var outputs: [String: OnnxTensor] = [:]
        for (name, value) in zip(fetch, results) {
            guard let value else { throw OnnxError(code: "onnx_run_failed", message: "\(path): output \(name) was not produced") }
            outputs[name] = try read(value, name: name)
        }
        return outputs
    }

    // MARK: - Values

    private func cpuMemoryInfo() throws -> OpaquePointer {
        typealias Create = @convention(c) (Int32, Int32, UnsafeMutablePointer<OpaquePointer?>) -> Status
        var info: OpaquePointer?
        // OrtArenaAllocator, OrtMemTypeDefault.
        try runtime.check(library.function(.createCpuMemoryInfo, as: Create.self)(1, 0, &info), "CPU memory info", code: "onnx_run_failed")
        guard let info else { throw OnnxError(code: "onnx_run_failed", message: "ONNX Runtime made no memory info") }
        return info
    }

    private func makeValue(_ tensor: inout OnnxTensor, memory: OpaquePointer) throws -> OpaquePointer? {
        typealias Create = @convention(c) (
            OpaquePointer, UnsafeMutableRawPointer, Int, UnsafePointer<Int64>, Int, Int32, UnsafeMutablePointer<OpaquePointer?>
        ) -> Status
        let shape = tensor.shape.map(Int64.init)
        let type = tensor.elementType.rawValue
        var value: OpaquePointer?
        let create = library.function(.createTensorWithDataAsOrtValue, as: Create.self)
        let status: Status
        switch tensor.elements {
        case .float(var values):
            status = values.withUnsafeMutableBytes { bytes in
                create(memory, bytes.baseAddress!, bytes.count, shape, shape.count, type, &value)
            }
            tensor.elements = .float(values)
        case .int64(var values):
            status = values.withUnsafeMutableBytes { bytes in
                create(memory, bytes.baseAddress!, bytes.count, shape, shape.count, type, &value)
            }
            tensor.elements = .int64(values)
        }
        try runtime.check(status, "tensor for \(path)", code: "onnx_run_failed")
        return value
    }

    private func releaseValue(_ value: OpaquePointer) {
        library.function(.releaseValue, as: (@convention(c) (OpaquePointer) -> Void).self)(value)
    }

    /// Copies an output value into a tensor.
    private func read(_ value: OpaquePointer, name: String) throws -> OnnxTensor {
        typealias GetShape = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Status
        typealias GetData = @convention(c) (OpaquePointer, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Status
        var info: OpaquePointer?
        try runtime.check(library.function(.getTensorTypeAndShape, as: GetShape.self)(value, &info), "output \(name) of \(path)", code: "onnx_run_failed")
        guard let info else { throw OnnxError(code: "onnx_run_failed", message: "\(path): output \(name) has no shape") }
        defer { library.function(.releaseTensorTypeAndShapeInfo, as: (@convention(c) (OpaquePointer) -> Void).self)(info) }
        let (type, shape) = try Self.typeAndShape(runtime: runtime, info: info)
        var data: UnsafeMutableRawPointer?
        try runtime.check(library.function(.getTensorMutableData, as: GetData.self)(value, &data), "output \(name) of \(path)", code: "onnx_run_failed")
        let count = shape.reduce(1, *)
        guard let data else { return OnnxTensor(shape: shape, floats: []) }
        switch type {
        case .float:
            return OnnxTensor(shape: shape, floats: Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: Float.self), count: count)))
        case .int64:
            return OnnxTensor(shape: shape, int64s: Array(UnsafeBufferPointer(start: data.assumingMemoryBound(to: Int64.self), count: count)))
        default:
            throw OnnxError(code: "onnx_tensor_mismatch", message: "\(path): output \(name) is \(type); this backend reads float and int64 outputs")
        }
    }

    // MARK: - Declared inputs and outputs

    private static func specs(runtime: OnnxRuntime, session: OpaquePointer, outputs: Bool) throws -> [OnnxTensorSpec] {
        let library = runtime.library
        typealias Count = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int>) -> Status
        typealias Name = @convention(c) (OpaquePointer, Int, OpaquePointer, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Status
        typealias TypeInfo = @convention(c) (OpaquePointer, Int, UnsafeMutablePointer<OpaquePointer?>) -> Status
        typealias Cast = @convention(c) (OpaquePointer, UnsafeMutablePointer<OpaquePointer?>) -> Status
        typealias Allocator = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Status
        typealias Free = @convention(c) (OpaquePointer, UnsafeMutableRawPointer) -> Status
        var allocator: OpaquePointer?
        try runtime.check(library.function(.getAllocatorWithDefaultOptions, as: Allocator.self)(&allocator), "the default allocator")
        guard let allocator else { throw OnnxError(code: "onnx_session_failed", message: "ONNX Runtime has no default allocator") }
        var count = 0
        try runtime.check(library.function(outputs ? .sessionGetOutputCount : .sessionGetInputCount, as: Count.self)(session, &count), "graph signature")
        var specs: [OnnxTensorSpec] = []
        for index in 0..<count {
            var raw: UnsafeMutablePointer<CChar>?
            try runtime.check(library.function(outputs ? .sessionGetOutputName : .sessionGetInputName, as: Name.self)(session, index, allocator, &raw), "graph signature")
            guard let raw else { continue }
            let name = String(cString: raw)
            _ = library.function(.allocatorFree, as: Free.self)(allocator, raw)
            var typeInfo: OpaquePointer?
            try runtime.check(library.function(outputs ? .sessionGetOutputTypeInfo : .sessionGetInputTypeInfo, as: TypeInfo.self)(session, index, &typeInfo), "type of \(name)")
            guard let typeInfo else { continue }
            defer { library.function(.releaseTypeInfo, as: (@convention(c) (OpaquePointer) -> Void).self)(typeInfo) }
            var tensorInfo: OpaquePointer?
            try runtime.check(library.function(.castTypeInfoToTensorInfo, as: Cast.self)(typeInfo, &tensorInfo), "type of \(name)")
            guard let tensorInfo else {
                specs.append(OnnxTensorSpec(name: name, elementType: .other, shape: []))
                continue
            }
            let (type, shape) = try typeAndShape(runtime: runtime, info: tensorInfo)
            specs.append(OnnxTensorSpec(name: name, elementType: type, shape: shape))
        }
        return specs
    }

    private static func typeAndShape(runtime: OnnxRuntime, info: OpaquePointer) throws -> (OnnxElementType, [Int]) {
        let library = runtime.library
        typealias ElementType = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int32>) -> Status
        typealias Count = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int>) -> Status
        typealias Dimensions = @convention(c) (OpaquePointer, UnsafeMutablePointer<Int64>, Int) -> Status
        var raw: Int32 = 0
        try runtime.check(library.function(.getTensorElementType, as: ElementType.self)(info, &raw), "tensor type")
        var rank = 0
        try runtime.check(library.function(.getDimensionsCount, as: Count.self)(info, &rank), "tensor rank")
        var dims = [Int64](repeating: 0, count: rank)
        try runtime.check(library.function(.getDimensions, as: Dimensions.self)(info, &dims, rank), "tensor shape")
        return (OnnxElementType(rawValue: raw) ?? .other, dims.map { Int($0) })
    }
}

/// Calls `body` with `strings` as an array of C strings, valid for the call.
private func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { body($0) }
    }
}
