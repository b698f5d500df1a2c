/// A dense tensor going into or coming out of an ONNX session: its shape and its elements,
/// row-major. Float32 and Int64 elements are what the model contract uses (token ids, latents,
/// embeddings, frames; fp16 graphs keep fp32 inputs and outputs).
public struct OnnxTensor: Sendable, Equatable {
    /// The elements.
    public enum Elements: Sendable, Equatable {
        /// 32-bit floats.
        case float([Float])
        /// 64-bit integers.
        case int64([Int64])
    }

    /// Dimensions, outermost first.
    public var shape: [Int]
    /// The values, `shape.reduce(1, *)` of them.
    public var elements: Elements

    /// A float tensor; `values.count` must equal the shape's element count.
    public init(shape: [Int], floats values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "tensor of shape \(shape) given \(values.count) values")
        self.shape = shape
        elements = .float(values)
    }

    /// An int64 tensor; `values.count` must equal the shape's element count.
    public init(shape: [Int], int64s values: [Int64]) {
        precondition(values.count == shape.reduce(1, *), "tensor of shape \(shape) given \(values.count) values")
        self.shape = shape
        elements = .int64(values)
    }

    /// The float values (empty for an int64 tensor).
    public var floats: [Float] {
        if case .float(let values) = elements { return values }
        return []
    }

    /// ONNX's element type code (`ONNXTensorElementDataType`).
    var elementType: OnnxElementType {
        switch elements {
        case .float: .float
        case .int64: .int64
        }
    }
}

/// ONNX tensor element types (`ONNXTensorElementDataType`) this backend names.
public enum OnnxElementType: Int32, Sendable, Hashable, CustomStringConvertible {
    case float = 1
    case uint8 = 2
    case int8 = 3
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case double = 11
    case other = -1

    /// ONNX's name, e.g. `float`, `int64`.
    public var description: String {
        switch self {
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float16: "float16"
        case .double: "double"
        case .other: "other"
        }
    }
}

/// A session input or output as the graph declares it: name, element type, shape (`-1` for a
/// dynamic axis).
public struct OnnxTensorSpec: Sendable, Hashable, CustomStringConvertible {
    /// The tensor's name in the graph.
    public var name: String
    /// Its element type.
    public var elementType: OnnxElementType
    /// Its dimensions; `-1` where the axis is dynamic.
    public var shape: [Int]

    /// `name: type[d0, d1, …]` with `?` for dynamic axes.
    public var description: String {
        "\(name): \(elementType)[\(shape.map { $0 < 0 ? "?" : String($0) }.joined(separator: ", "))]"
    }
}
