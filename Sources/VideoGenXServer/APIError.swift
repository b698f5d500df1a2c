import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VideoGenXCore

/// An error the API answers with its own status and envelope: `{"code", "message", "data"}`,
/// with `data.errors: [{field, reason}]` for validation failures.
public struct APIError: Error, Sendable, HTTPResponseError {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Stable error code.
    public var code: String
    /// Human-readable message.
    public var message: String
    /// Field problems of a 400.
    public var errors: [FieldIssue]
    /// Extra headers (e.g. `Content-Range` on a 416).
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, code: String, message: String, errors: [FieldIssue] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers
    }

    /// 404 for an unknown or foreign task: the two are indistinguishable on purpose.
    static func taskNotFound(_ id: String) -> APIError {
        APIError(.notFound, code: "not_found", message: "no task \(id)")
    }

    /// 400 listing every field problem.
    static func invalid(_ issues: [FieldIssue]) -> APIError {
        APIError(.badRequest, code: ValidationFailure.code, message: issues.map(\.description).joined(separator: "; "), errors: issues)
    }

    /// The envelope response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = Envelope.response(status: status, code: .error(code), message: message, data: errors.isEmpty ? nil : ErrorList(errors: errors))
        response.headers.append(contentsOf: headers)
        return response
    }

    private struct ErrorList: Encodable, Sendable {
        var errors: [FieldIssue]
    }
}
