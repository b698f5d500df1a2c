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

    /// Whether a data URI's payload (after `;base64,`) is standard base64 once line breaks and
    /// spaces are dropped (`base64` wraps its output): non-empty, A–Z a–z 0–9 + /, length a
    /// multiple of 4, `=` only as the last one or two characters.
    public static func hasValidBase64Payload(_ uri: String) -> Bool {
        let marker = Array(";base64,".utf8)
        let bytes = Array(uri.utf8)
        guard let start = (0...max(0, bytes.count - marker.count)).first(where: { index in
            bytes.count >= marker.count && zip(bytes[index..<index + marker.count], marker).allSatisfy { $0 | 0x20 == $1 | 0x20 }
        }) else { return false }
        let whitespace: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t")]
        let payload = bytes[(start + marker.count)...].filter { !whitespace.contains($0) }
        guard !payload.isEmpty, payload.count % 4 == 0 else { return false }
        let padding = payload.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return false }
        return payload.dropLast(padding).allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
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
