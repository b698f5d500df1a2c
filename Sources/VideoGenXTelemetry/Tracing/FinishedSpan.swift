import Tracing
import W3CTraceContext

/// A recorded span that has ended: what ``OTLPTracer`` hands to the export buffer.
struct FinishedSpan: Sendable {
    /// A link to another span, by its context.
    struct Link: Sendable {
        var trace: TraceContext
        var attributes: SpanAttributes
    }

    var trace: TraceContext
    var parent: CarriedSpanContext?
    var name: String
    var kind: SpanKind
    var startNanoseconds: UInt64
    var endNanoseconds: UInt64
    var attributes: SpanAttributes
    /// A request span's HTTP attributes, kept typed (``HTTPServerSpanFields``).
    var http: HTTPServerSpanFields?
    var events: [SpanEvent]
    var links: [Link]
    var status: SpanStatus?
}
