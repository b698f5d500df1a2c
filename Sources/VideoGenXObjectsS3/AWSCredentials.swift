import Foundation

/// The key pair (and session token) S3 requests are signed with. Read from the standard
/// environment variables or the shared credentials file; never logged (``description`` hides
/// the secret).
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    /// The access key id (`AWS_ACCESS_KEY_ID`).
    public var accessKeyID: String
    /// The secret access key (`AWS_SECRET_ACCESS_KEY`).
    public var secretAccessKey: String
    /// A temporary session's token (`AWS_SESSION_TOKEN`), signed as `x-amz-security-token`.
    public var sessionToken: String?

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key id only: secrets never reach a log line.
    public var description: String { "AWSCredentials(\(accessKeyID), secret hidden)" }

    /// Credentials from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, else
    /// from the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, default
    /// `~/.aws/credentials`), profile `AWS_PROFILE` (default `default`); `nil` when neither has them.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> AWSCredentials? {
        if let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
        let path = environment["AWS_SHARED_CREDENTIALS_FILE"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".aws/credentials").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return fromCredentialsFile(text, profile: environment["AWS_PROFILE"] ?? "default")
    }

    /// The profile `profile` of a shared credentials file's text (INI: `[profile]`, then
    /// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`); `nil` when incomplete.
    public static func fromCredentialsFile(_ text: String, profile: String) -> AWSCredentials? {
        var section: String?
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == profile, let equals = line.firstIndex(of: "=") else { continue }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values[name] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { return nil }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }
}
