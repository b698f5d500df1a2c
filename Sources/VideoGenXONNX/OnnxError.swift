/// An error of the ONNX Runtime backend: the library cannot be loaded, a session cannot be made
/// or run, a tensor does not match what the model declares.
public struct OnnxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable code: `onnx_library_missing`, `onnx_library_unsupported`, `onnx_session_failed`,
    /// `onnx_run_failed`, `onnx_tensor_mismatch`, `out_of_memory`.
    public var code: String
    /// What went wrong, naming the file or tensor.
    public var message: String

    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
