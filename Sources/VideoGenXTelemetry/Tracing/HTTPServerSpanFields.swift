import Tracing

/// A span that takes a request's HTTP attributes typed, in one call, instead of as a dictionary.
/// The request tracing middleware (Server) uses it when the bootstrapped tracer's spans offer it.
public protocol HTTPServerSpanRecording: Span {
    /// Sets the request span's HTTP attributes at once (replacing any set before).
    func recordHTTPServer(_ fields: HTTPServerSpanFields)
}

/// The OpenTelemetry HTTP server attributes of one request span, gathered by the request tracing
/// middleware. ``OTLPSpan`` stores them as they are and encodes them straight into the export (a
/// status read's span otherwise built, hashed and walked a dictionary of ~8 entries per request);
/// other tracers get them as ``attributes``.
public struct HTTPServerSpanFields: Sendable, Equatable {
    /// `http.request.method`.
    public var method: String
    /// `url.path`.
    public var path: String
    /// `url.query`, with credentials already redacted; `nil` when the URL has none.
    public var query: String?
    /// `user_agent.original`.
    public var userAgent: String?
    /// `http.request.body.size`, when the request declared a length.
    public var requestBodySize: Int?
    /// `http.route`: the matched route template.
    public var route: String?
    /// `http.response.status_code`; `nil` until the answer is known.
    public var statusCode: Int?
    /// `http.response.body.size`, when the response declares a length.
    public var responseBodySize: Int?

    /// The request's side; the route and the response are filled in later.
    public init(method: String, path: String, query: String? = nil, userAgent: String? = nil, requestBodySize: Int? = nil) {
        self.method = method
        self.path = path
        self.query = query
        self.userAgent = userAgent
        self.requestBodySize = requestBodySize
    }

    /// The same fields as swift-distributed-tracing attributes, under their OpenTelemetry names.
    public var attributes: SpanAttributes {
        var attributes = SpanAttributes([String: SpanAttribute](minimumCapacity: 8))
        forEach { name, value in attributes[name] = value }
        return attributes
    }

    /// Calls `body` with each present field's OpenTelemetry name and value, in a fixed order.
    func forEach(_ body: (String, SpanAttribute) -> Void) {
        forEachField(string: { body($0.rawValue, .string($1)) }, int: { body($0.rawValue, .int64(Int64($1))) })
    }

    /// Calls `string` or `int` with each present field and its value, in a fixed order: what
    /// ``forEach(_:)`` and the OTLP encoding (which keeps the names pre-encoded) share.
    func forEachField(string: (Name, String) -> Void, int: (Name, Int) -> Void) {
        string(.method, method)
        string(.path, path)
        if let query { string(.query, query) }
        if let userAgent { string(.userAgent, userAgent) }
        if let requestBodySize { int(.requestBodySize, requestBodySize) }
        if let route { string(.route, route) }
        if let statusCode { int(.statusCode, statusCode) }
        if let responseBodySize { int(.responseBodySize, responseBodySize) }
    }

    /// The OpenTelemetry attribute name of each field.
    enum Name: String, CaseIterable, Sendable {
        case method = "http.request.method"
        case path = "url.path"
        case query = "url.query"
        case userAgent = "user_agent.original"
        case requestBodySize = "http.request.body.size"
        case route = "http.route"
        case statusCode = "http.response.status_code"
        case responseBodySize = "http.response.body.size"
    }
}
