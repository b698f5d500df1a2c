import Foundation

/// JSON columns of a task (request, result, error), as both drivers store them.
extension TaskRecord {
    /// Shared coders: creating one per row costs more than the coding itself.
    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()

    /// `value` as compact JSON text.
    package static func encode<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
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
