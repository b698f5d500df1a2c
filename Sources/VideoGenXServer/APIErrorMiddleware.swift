import Hummingbird
import Logging
import VideoGenXStore

/// The one place errors become HTTP responses: ``APIError``s answer for themselves; Hummingbird's
/// own errors (unknown route, body too large, bad request) are re-wrapped in the envelope; anything
/// else is logged at `.error` with the request id and answered 500 without internals.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StoreError where error.isRetryable {
            // The database is unreachable (restarting, failing over): the client may retry soon.
            context.logger.warning("task store unavailable", metadata: ["error": "\(error)", "request.path": "\(request.uri.path)"])
            var response = Envelope.response(
                status: .serviceUnavailable, code: .error("store_unavailable"), message: "the task store is unavailable; retry shortly",
                data: Optional<String>.none
            )
            response.headers[.retryAfter] = "2"
            return response
        } catch let error as HTTPError {
            let code: String = switch error.status {
            case .notFound: "not_found"
            case .contentTooLarge: "body_too_large"
            case .methodNotAllowed: "method_not_allowed"
            default: "http_\(error.status.code)"
            }
            var response = Envelope.response(status: error.status, code: .error(code), message: error.body ?? error.status.reasonPhrase, data: Optional<String>.none)
            response.headers.append(contentsOf: error.headers)
            return response
        } catch let error as any HTTPResponseError {
            let code = error.status == .contentTooLarge ? "body_too_large" : "http_\(error.status.code)"
            return Envelope.response(status: error.status, code: .error(code), message: error.status.reasonPhrase, data: Optional<String>.none)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "request.path": "\(request.uri.path)"])
            return Envelope.response(status: .internalServerError, code: .error("internal"), message: "internal error (request \(context.id))", data: Optional<String>.none)
        }
    }
}
