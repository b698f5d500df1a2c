import Foundation
import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing
import VideoGenXTelemetry

/// One server span per request (swift-distributed-tracing): honours an incoming `traceparent`,
/// names the span after the matched route, records the OpenTelemetry HTTP attributes with URL
/// credentials redacted, marks 5xx answers as errors and ends after the body is written.
///
/// Used instead of Hummingbird's `TracingMiddleware`, which sets its attributes in two
/// `updateAttributes` passes (each copies the span's attribute dictionary) and formats the query
/// string on every request: 4 % of a status read's CPU (docs/benchmarks.md). Here the attributes
/// are gathered in an `HTTPServerSpanFields` and handed to the span once, only when it is
/// recorded: as they are to a span that takes them typed (`HTTPServerSpanRecording`, as
/// VideoGenX's OTLP tracer's spans do), as a dictionary to any other tracer's span.
struct RequestTracingMiddleware<Context: RequestContext, T: Tracer>: RouterMiddleware {
    /// The tracer, read once from `InstrumentationSystem` when the router is built.
    let tracer: T
    /// Query parameters whose values never reach a span (URL signatures, presigned S3 fields).
    let redactedQueryParameters: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = ServiceContext.current ?? .topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startSpan(request.method.rawValue, context: parent, ofKind: .server)
        let fields = span.isRecording ? fields(of: request) : nil
        do {
            var response = try await ServiceContext.$current.withValue(span.context) { try await next(request, context) }
            let status = Int(response.status.code)
            if var recorded = fields {
                recorded.statusCode = status
                recorded.responseBodySize = response.body.contentLength
                finish(span, context: context, fields: &recorded, failed: status >= 500)
            }
            let ending = SpanEnding(span)
            let body = response.body
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer { ending.end() }
                try await body.write(writer)
            }
            return response
        } catch {
            let status = Int((error as? any HTTPResponseError)?.status.code ?? 500)
            if var recorded = fields {
                recorded.statusCode = status
                finish(span, context: context, fields: &recorded, failed: status >= 500)
                span.recordError(error)
            }
            span.end()
            throw error
        }
    }

    /// The request's attributes: method, path, redacted query, user agent, body size.
    private func fields(of request: Request) -> HTTPServerSpanFields {
        let query = request.uri.query.flatMap { $0.isEmpty ? nil : redacted($0) }
        return HTTPServerSpanFields(
            method: request.method.rawValue, path: request.uri.path, query: query, userAgent: request.headers[.userAgent],
            requestBodySize: request.headers[.contentLength].flatMap { Int($0) }
        )
    }

    /// Names the span after the route, hands it its attributes and marks a server error.
    private func finish(_ span: T.Span, context: Context, fields: inout HTTPServerSpanFields, failed: Bool) {
        if let route = context.endpointPath {
            span.operationName = route
            fields.route = route
        }
        if let span = span as? any HTTPServerSpanRecording {
            span.recordHTTPServer(fields)
        } else {
            span.attributes = fields.attributes
        }
        if failed { span.setStatus(SpanStatus(code: .error)) }
    }

    /// `query` with the values of ``redactedQueryParameters`` replaced by `REDACTED`.
    private func redacted(_ query: String) -> String {
        query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
            let name = pair.prefix { $0 != "=" }
            return redactedQueryParameters.contains(String(name.removingPercentEncoding ?? String(name))) ? "\(name)=REDACTED" : String(pair)
        }.joined(separator: "&")
    }
}

/// Reads the W3C trace headers from a request's fields.
private struct HTTPFieldsExtractor: Extractor {
    private static let traceParent = HTTPField.Name("traceparent")!
    private static let traceState = HTTPField.Name("tracestate")!

    func extract(key: String, from fields: HTTPFields) -> String? {
        switch key {
        case "traceparent": fields[Self.traceParent]
        case "tracestate": fields[Self.traceState]
        default: HTTPField.Name(key).flatMap { fields[$0] }
        }
    }
}

/// Ends a span once, when the response body has been written (or when the response is dropped
/// unwritten).
private final class SpanEnding<S: Span>: @unchecked Sendable {
    // Unchecked: the body writer calls `end` once, after the handler returned; `deinit` runs after.
    private var span: S?

    init(_ span: S) { self.span = span }

    func end() {
        span?.end()
        span = nil
    }

    deinit { span?.end() }
}
