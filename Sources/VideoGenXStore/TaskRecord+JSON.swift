import Foundation

/// JSON columns of a task (request, result, error), as both drivers store them.
extension TaskRecord {
    /// Shared decoder: creating one per row costs more than the decoding itself.
    private static let decoder = JSONDecoder()

    /// `value` as compact JSON text, written in one pass (``StreamingJSONEncoder``).
    package static func encode<Value: Encodable>(_ value: Value) throws -> String {
        try StreamingJSONEncoder.encode(value)
    }

    /// Decodes JSON text, or throws ``StoreError`` `storage` naming the type.
    package static func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.storage, "unreadable \(type) in the tasks table: \(error)")
        }
    }
}
