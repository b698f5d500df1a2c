import Foundation

/// A 32-byte secret kept in a file of the data directory (created 0600 on first start), so that
/// what it signs stays valid across restarts: `url-signing.key` (result URLs) and
/// `webhook-master.key` (users' webhook secrets).
enum KeyFile {
    /// The secret in `directory/name`, created with 32 random bytes when missing or short.
    /// - Throws: when the file cannot be written.
    static func loadOrCreate(_ name: String, in directory: URL) throws -> [UInt8] {
        let path = directory.appendingPathComponent(name).path
        if let existing = FileManager.default.contents(atPath: path), existing.count >= 32 {
            return [UInt8](existing)
        }
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        guard FileManager.default.createFile(atPath: path, contents: Data(secret), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return secret
    }
}
