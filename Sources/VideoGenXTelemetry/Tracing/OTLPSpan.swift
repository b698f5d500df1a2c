import Synchronization
import Tracing
import W3CTraceContext

/// A span started by ``OTLPTracer``. A sampled span records its name, attributes, events, links
/// and status under a lock and, when ended, goes to the export buffer once; an unsampled one only
/// carries its trace context (for propagation) and ignores the rest.
public final class OTLPSpan: HTTPServerSpanRecording, Sendable {
    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var http: HTTPServerSpanFields?
        var events: [SpanEvent] = []
        var links: [FinishedSpan.Link] = []
        var status: SpanStatus?
        var ended = false
    }

    /// The context of this span: the parent's context with this span's trace context in it.
    public let context: ServiceContext
    /// Whether this span is recorded and exported (the trace is sampled).
    public let isRecording: Bool
    private let trace: TraceContext
    private let parent: CarriedSpanContext?
    private let kind: SpanKind
    private let startNanoseconds: UInt64
    private let buffer: SpanBuffer
    private let state: Mutex<State>

    init(
        name: String, kind: SpanKind, trace: TraceContext, parent: CarriedSpanContext?, context: ServiceContext,
        startNanoseconds: UInt64, buffer: SpanBuffer
    ) {
        self.trace = trace
        self.parent = parent
        self.kind = kind
        self.context = context
        self.startNanoseconds = startNanoseconds
        self.buffer = buffer
        self.isRecording = trace.flags.contains(.sampled)
        self.state = Mutex(State(name: name))
    }

    /// The span's name; renaming is allowed until it ends (routers name a span after matching).
    public var operationName: String {
        get { state.withLock { $0.name } }
        set { if isRecording { state.withLock { $0.name = newValue } } }
    }

    /// The span's attributes (ignored on an unsampled span), including the HTTP ones set by
    /// ``recordHTTPServer(_:)``; setting replaces them all, those too.
    public var attributes: SpanAttributes {
        get {
            state.withLock { state in
                var attributes = state.attributes
                state.http?.forEach { name, value in attributes[name] = value }
                return attributes
            }
        }
        set {
            guard isRecording else { return }
            // What was read included the typed HTTP attributes: the dictionary now holds them all.
            state.withLock { state in
                state.attributes = newValue
                state.http = nil
            }
        }
    }

    /// Sets the request span's HTTP attributes at once, kept typed until export (replacing any set
    /// before; ignored on an unsampled span).
    public func recordHTTPServer(_ fields: HTTPServerSpanFields) {
        guard isRecording else { return }
        state.withLock { $0.http = fields }
    }

    /// Sets the status; per OpenTelemetry, `ok` is final and an unset status never replaces one.
    public func setStatus(_ status: SpanStatus) {
        guard isRecording else { return }
        state.withLock { state in
            if state.status?.code != .ok { state.status = status }
        }
    }

    /// Adds a timestamped event (a sampler step, a retry).
    public func addEvent(_ event: SpanEvent) {
        guard isRecording else { return }
        state.withLock { $0.events.append(event) }
    }

    /// Records `error` as an OpenTelemetry `exception` event (type and message).
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        guard isRecording else { return }
        var attributes = attributes
        attributes.set("exception.type", value: .string(String(describing: type(of: error))))
        attributes.set("exception.message", value: .string(String(describing: error)))
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    /// Links another span (one started by this tracer; others carry no context to link).
    public func addLink(_ link: SpanLink) {
        guard isRecording, let other = link.context.carriedSpanContext else { return }
        state.withLock { $0.links.append(FinishedSpan.Link(trace: other.trace, attributes: link.attributes)) }
    }

    /// Ends the span: a sampled span is queued for export, once, however often this is called.
    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard isRecording else { return }
        let end = instant().nanosecondsSinceEpoch
        let finished: FinishedSpan? = state.withLock { state in
            guard !state.ended else { return nil }
            state.ended = true
            return FinishedSpan(
                trace: trace, parent: parent, name: state.name, kind: kind, startNanoseconds: startNanoseconds, endNanoseconds: end,
                attributes: state.attributes, http: state.http, events: state.events, links: state.links, status: state.status
            )
        }
        if let finished { buffer.append(finished) }
    }
}
