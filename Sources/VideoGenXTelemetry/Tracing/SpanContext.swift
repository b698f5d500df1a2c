import Instrumentation
import W3CTraceContext

/// The W3C trace context of the span a `ServiceContext` is inside, and whether it arrived from
/// another process (a `traceparent` header or a task's stored trace) rather than a local span.
struct CarriedSpanContext: Sendable {
    /// Trace id, span id, sampled flag and `tracestate`.
    var trace: TraceContext
    /// True when extracted from a carrier, false for a span started here.
    var isRemote: Bool
}

/// The `ServiceContext` key under which ``OTLPTracer`` keeps the current span's context.
enum CarriedSpanContextKey: ServiceContextKey {
    typealias Value = CarriedSpanContext
    static var nameOverride: String? { "videogenx.span_context" }
}

extension ServiceContext {
    /// The span context ``OTLPTracer`` put here (a local span, or an extracted `traceparent`).
    var carriedSpanContext: CarriedSpanContext? {
        get { self[CarriedSpanContextKey.self] }
        set { self[CarriedSpanContextKey.self] = newValue }
    }
}
