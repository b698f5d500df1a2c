import VideoGenXCore

/// Any JSON value, read leniently (``JSONValueParser``) so that request validation can report
/// every wrong type at once instead of stopping at the first (as `Decodable` structs do).
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type name, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .unsigned, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Reads typed fields out of a JSON object, recording a ``FieldIssue`` for each wrong type.
struct FieldReader {
    let object: [String: JSONValue]
    let prefix: String
    var issues: [FieldIssue] = []

    init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    private func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    mutating func string(_ key: String) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?:
            issues.append(.init(field: path(key), reason: "must be a string, got \(other.typeName)"))
            return nil
        }
    }

    mutating func integer(_ key: String) -> Int? {
        switch object[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return Int(exactly: value)
        case .number(let value)? where value.rounded() == value && abs(value) < 1e15: return Int(value)
        case let other?:
            issues.append(.init(field: path(key), reason: "must be an integer, got \(other.typeName == "number" ? "a fraction or huge number" : other.typeName)"))
            return nil
        }
    }

    mutating func unsigned(_ key: String) -> UInt64? {
        switch object[key] {
        case nil, .null?: return nil
        case .integer(let value)? where value >= 0: return UInt64(value)
        case .unsigned(let value)?: return value
        case let other?:
            issues.append(.init(field: path(key), reason: "must be an integer 0–18446744073709551615, got \(other.typeName)"))
            return nil
        }
    }

    mutating func number(_ key: String) -> Double? {
        switch object[key] {
        case nil, .null?: return nil
        case .integer(let value)?: return Double(value)
        case .unsigned(let value)?: return Double(value)
        case .number(let value)?: return value
        case let other?:
            issues.append(.init(field: path(key), reason: "must be a number, got \(other.typeName)"))
            return nil
        }
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let value)?: return value
        case let other?:
            issues.append(.init(field: path(key), reason: "must be an object, got \(other.typeName)"))
            return nil
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        case let other?:
            issues.append(.init(field: path(key), reason: "must be a boolean, got \(other.typeName)"))
            return nil
        }
    }

    /// The objects of an array field; a non-object element is recorded as an issue and skipped.
    mutating func objects(_ key: String) -> [(path: String, object: [String: JSONValue])]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let values)?:
            var result: [(String, [String: JSONValue])] = []
            for (index, value) in values.enumerated() {
                if case .object(let element) = value {
                    result.append(("\(path(key))[\(index)]", element))
                } else {
                    issues.append(.init(field: "\(path(key))[\(index)]", reason: "must be an object, got \(value.typeName)"))
                }
            }
            return result
        case let other?:
            issues.append(.init(field: path(key), reason: "must be an array, got \(other.typeName)"))
            return nil
        }
    }

    /// Records every key not in `known`.
    mutating func rejectUnknown(_ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) {
            issues.append(.init(field: path(key), reason: "is not a known field"))
        }
    }
}
