import Configuration
import Foundation

/// Typed, checked reads of configuration keys on top of swift-configuration's `ConfigReader`:
/// a missing key gives the default, a present but unusable one throws ``ConfigurationError``
/// (the reader's own non-throwing getters would silently fall back to the default).
struct ConfigValues {
    let reader: ConfigReader

    /// A string.
    func string(_ key: String, default value: String) -> String {
        reader.string(forKey: ConfigKey(key), default: value)
    }

    /// An optional string (`nil` when unset or empty).
    func optionalString(_ key: String) -> String? {
        reader.string(forKey: ConfigKey(key)).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// An integer in `range`.
    func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        let result: Int
        if let read = reader.int(forKey: ConfigKey(key)) {
            result = read
        } else if let raw = reader.string(forKey: ConfigKey(key)) {
            throw ConfigurationError(key: key, reason: "must be an integer \(range.lowerBound)–\(range.upperBound), got '\(raw)'")
        } else {
            return value
        }
        guard range.contains(result) else {
            throw ConfigurationError(key: key, reason: "must be \(range.lowerBound)–\(range.upperBound), got \(result)")
        }
        return result
    }

    /// A number of seconds (integers accepted) of at least `minimum`.
    func seconds(_ key: String, default value: Double, minimum: Double) throws -> Double {
        let result: Double
        if let read = reader.double(forKey: ConfigKey(key)) {
            result = read
        } else if let read = reader.int(forKey: ConfigKey(key)) {
            result = Double(read)
        } else if let raw = reader.string(forKey: ConfigKey(key)) {
            throw ConfigurationError(key: key, reason: "must be a number of seconds ≥ \(minimum), got '\(raw)'")
        } else {
            return value
        }
        guard result >= minimum, result.isFinite else {
            throw ConfigurationError(key: key, reason: "must be a number of seconds ≥ \(minimum), got \(result)")
        }
        return result
    }

    /// A boolean (`true`/`false`, `1`/`0`, `yes`/`no`).
    func bool(_ key: String, default value: Bool) throws -> Bool {
        if let read = reader.bool(forKey: ConfigKey(key)) { return read }
        guard let raw = reader.string(forKey: ConfigKey(key)) else { return value }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(key: key, reason: "must be true or false, got '\(raw)'")
        }
    }

    /// A list of strings: a JSON array, or comma-separated text (environment, flags).
    func strings(_ key: String, default value: [String]) -> [String] {
        let list = reader.stringArray(forKey: ConfigKey(key))
            ?? reader.string(forKey: ConfigKey(key)).map { $0.split(separator: ",").map(String.init) }
            ?? value
        return list.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// One of `choices` (case-sensitive).
    func choice(_ key: String, default value: String, from choices: [String]) throws -> String {
        let read = string(key, default: value)
        guard choices.contains(read) else {
            throw ConfigurationError(key: key, reason: "must be one of \(choices.joined(separator: ", ")), got '\(read)'")
        }
        return read
    }
}
