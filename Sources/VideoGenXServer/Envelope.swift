import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Builds JSON responses in the API envelope `{"code", "message", "data"}` (DESIGN §9): `code` is
/// 0 on success and a stable string otherwise; statuses are real HTTP statuses.
enum Envelope {
    /// `0` or a string code.
    enum Code: Encodable, Sendable {
        case ok
        case error(String)

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .ok: try container.encode(0)
            case .error(let code): try container.encode(code)
            }
        }
    }

    private struct Body<Payload: Encodable>: Encodable {
        var code: Code
        var message: String
        var data: Payload?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            if let data {
                try container.encode(data, forKey: .data)
            } else {
                try container.encodeNil(forKey: .data)
            }
        }

        enum CodingKeys: String, CodingKey {
            case code, message, data
        }
    }

    /// The API's JSON encoder: sorted keys (Foundation otherwise writes them in hash order, a
    /// different order on every encode), unescaped slashes (also used for SSE payloads).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// A JSON response with `data`.
    static func response<Payload: Encodable>(
        status: HTTPResponse.Status, code: Code = .ok, message: String = "ok", data: Payload?
    ) -> Response {
        response(status: status, json: bytes(code: code, message: message, data: data))
    }

    /// The envelope `{"code", "message", "data"}` as JSON bytes.
    static func bytes<Payload: Encodable>(code: Code = .ok, message: String = "ok", data: Payload?) -> Data {
        (try? encoder.encode(Body(code: code, message: message, data: data))) ?? Data(#"{"code":"internal","message":"encoding failed","data":null}"#.utf8)
    }

    /// A JSON response of already encoded `json`.
    static func response(status: HTTPResponse.Status, json bytes: some Sequence<UInt8>) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// A success response without data.
    static func empty(status: HTTPResponse.Status, message: String = "ok") -> Response {
        response(status: status, message: message, data: Optional<String>.none)
    }
}
