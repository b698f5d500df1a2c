import Instrumentation
import Tracing
import W3CTraceContext

/// VideoGenX's swift-distributed-tracing backend: W3C `traceparent`/`tracestate` propagation,
/// parent-based trace-id-ratio sampling, spans exported in batches over OTLP/HTTP by
/// ``OTLPSpanExporter``. Hand-written instead of swift-otel's tracer because that one hands every
/// ended span to its batch processor through an `AsyncStream` and an actor hop, which cost 15 % of
/// a status read's throughput (docs/benchmarks.md); here ending a span appends to a locked buffer.
public final class OTLPTracer: Tracer, Sendable {
    private let buffer: SpanBuffer
    /// Traces whose id's low 64 bits fall below this are sampled (`UInt64.max` with ratio 1).
    private let threshold: UInt64
    private let ids: SpanIDSource

    init(samplingRatio: Double, buffer: SpanBuffer, ids: SpanIDSource = SpanIDSource()) {
        self.buffer = buffer
        self.ids = ids
        let ratio = min(max(samplingRatio, 0), 1)
        threshold = ratio >= 1 ? .max : UInt64(ratio * 0x1p64)
    }

    /// Starts a span under the span in `context` (same trace, its sampling decision); without one,
    /// a new trace, sampled by the ratio.
    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> OTLPSpan {
        var context = context()
        let parent = context.carriedSpanContext
        let trace: TraceContext
        if let parent {
            trace = TraceContext(traceID: parent.trace.traceID, spanID: ids.newSpan(), flags: parent.trace.flags, state: parent.trace.state)
        } else {
            let (traceID, spanID) = ids.newTrace()
            trace = TraceContext(traceID: traceID, spanID: spanID, flags: sampled(traceID) ? .sampled : [], state: TraceState())
        }
        context.carriedSpanContext = CarriedSpanContext(trace: trace, isRemote: false)
        return OTLPSpan(
            name: operationName, kind: kind, trace: trace, parent: parent, context: context,
            startNanoseconds: instant().nanosecondsSinceEpoch, buffer: buffer
        )
    }

    /// The OpenTelemetry TraceIdRatioBased rule: the low 64 bits of the id against the ratio.
    private func sampled(_ traceID: TraceID) -> Bool {
        guard threshold != .max else { return true }
        let low = withUnsafeBytes(of: traceID.bytes) { UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        return low < threshold
    }

    /// Asks the exporter to send what is buffered now rather than at its next tick.
    public func forceFlush() {
        buffer.requestExport()
    }

    /// Writes the current span's `traceparent` (and `tracestate`, when set) into `carrier`.
    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let span = context.carriedSpanContext else { return }
        injector.inject(span.trace.traceParentHeaderValue, forKey: "traceparent", into: &carrier)
        if let state = span.trace.traceStateHeaderValue, !state.isEmpty {
            injector.inject(state, forKey: "tracestate", into: &carrier)
        }
    }

    /// Reads a `traceparent` (and `tracestate`) from `carrier` into `context`, as a remote parent;
    /// a missing or malformed header leaves `context` as it is.
    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let header = extractor.extract(key: "traceparent", from: carrier),
            let trace = try? TraceContext(traceParentHeaderValue: header, traceStateHeaderValue: extractor.extract(key: "tracestate", from: carrier))
        else { return }
        context.carriedSpanContext = CarriedSpanContext(trace: trace, isRemote: true)
    }
}
