import Foundation
import VideoGenXCore
import VideoGenXObjects
import VideoGenXStore

/// The `GET /task/{id}` response body of a task that is not queued, encoded once with its
/// per-response parts — the signed result URLs and their expiry — left as slots, so a cached
/// task is answered by copying bytes instead of encoding its view (and the whole request echo)
/// again. Queued tasks have none: their queue position changes without an event.
struct TaskViewTemplate: Sendable {
    private enum Slot: Sendable {
        case videoURL, thumbnailURL, expiresAt
    }

    /// The result video to sign for each response (`nil`: no URL in the view).
    let videoKey: ObjectKey?
    /// The result thumbnail to sign for each response.
    let thumbnailKey: ObjectKey?
    private let parts: [[UInt8]]
    private let slots: [Slot]

    /// Placeholder text no view contains: per process, random.
    private static let token = "vgx-slot-" + UUID().uuidString

    /// The template of `task`'s view; `nil` for a queued task.
    init?(_ task: TaskRecord) {
        guard task.status != .queued else { return nil }
        var result: TaskView.ResultView?
        var keys: (video: ObjectKey?, thumbnail: ObjectKey?) = (nil, nil)
        if let stored = task.result, let found = TaskPresenter.resultKeys(stored) {
            keys = found
            result = TaskView.ResultView(
                stored, videoURL: keys.video.map { _ in Self.token + "-video" }, thumbnailURL: keys.thumbnail.map { _ in Self.token + "-thumbnail" },
                expiresAt: keys.video.map { _ in Self.token + "-expires" }
            )
        }
        let json = [UInt8](Envelope.bytes(data: TaskView(task, queuePosition: nil, result: result)))
        var parts: [[UInt8]] = []
        var slots: [Slot] = []
        var rest = json[...]
        let markers: [(Slot, [UInt8])] = [
            (.videoURL, Array("\"\(Self.token)-video\"".utf8)), (.thumbnailURL, Array("\"\(Self.token)-thumbnail\"".utf8)),
            (.expiresAt, Array("\"\(Self.token)-expires\"".utf8)),
        ]
        while let (slot, range) = markers.compactMap({ slot, marker in rest.firstRange(of: marker).map { (slot, $0) } })
            .min(by: { $0.1.lowerBound < $1.1.lowerBound })
        {
            parts.append(Array(rest[..<range.lowerBound]))
            slots.append(slot)
            rest = rest[range.upperBound...]
        }
        parts.append(Array(rest))
        self.parts = parts
        self.slots = slots
        videoKey = keys.video
        thumbnailKey = keys.thumbnail
    }

    /// The response body with `video` and `thumbnail` URLs (signed for ``videoKey`` and
    /// ``thumbnailKey``) and `expiresAt` filled in.
    func render(videoURL: String?, thumbnailURL: String?, expiresAt: String?) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(parts.reduce(0) { $0 + $1.count } + 1024)
        for (index, slot) in slots.enumerated() {
            bytes.append(contentsOf: parts[index])
            let value = switch slot {
            case .videoURL: videoURL
            case .thumbnailURL: thumbnailURL
            case .expiresAt: expiresAt
            }
            Self.appendJSONString(value ?? "", to: &bytes)
        }
        bytes.append(contentsOf: parts[parts.count - 1])
        return bytes
    }

    /// `text` as a JSON string, as the API's encoder writes it (slashes unescaped).
    private static func appendJSONString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: Array(#"\""#.utf8))
            case UInt8(ascii: "\\"): bytes.append(contentsOf: Array(#"\\"#.utf8))
            case 0..<0x20: bytes.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
