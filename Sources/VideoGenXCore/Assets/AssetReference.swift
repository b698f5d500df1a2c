/// Where an image a request names comes from: a URL fetched through the SSRF guard, a data URI
/// carried in the request, or the object key of one of the caller's own results (for example
/// the thumbnail of an earlier video, `videos/{task_id}/thumbnail.webp`).
public enum AssetReference: Sendable, Hashable {
    /// An `http(s)` URL.
    case url(String)
    /// A `data:image/…;base64,` URI.
    case dataURI(String)
    /// A key in the platform's object store under `videos/{task_id}/`.
    case objectKey(String, taskID: String)

    /// Parses `text`; `nil` when it is none of the three forms.
    public init?(_ text: String) {
        let lower = text.lowercased()
        if (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && text.count > 8 {
            self = .url(text)
        } else if lower.hasPrefix("data:image/") && lower.contains(";base64,") {
            self = .dataURI(text)
        } else if let taskID = Self.resultKeyTask(text) {
            self = .objectKey(text, taskID: taskID)
        } else {
            return nil
        }
    }

    /// The task id of a key `videos/{task_id}/{file}` with safe segments, else `nil`.
    private static func resultKeyTask(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "videos", text.utf8.count <= 512 else { return nil }
        let safe = parts.dropFirst().allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        }
        return safe ? String(parts[1]) : nil
    }
}
