import Testing
import W3CTraceContext
@testable import VideoGenXTelemetry

/// The tracer's id source: the generator is the reference xoshiro256**, and ids do not repeat.
@Suite("Span id source")
struct SpanIDSourceTests {
    @Test("xoshiro256** from state (1, 2, 3, 4) gives the reference algorithm's first outputs")
    func referenceOutputs() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        let outputs = (0..<4).map { _ in generator.next() }
        #expect(outputs == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test("100,000 traces from one source and 100,000 from another: no id repeats, none is all zeros")
    func idsAreUnique() {
        var traces = Set<TraceID>()
        var spans = Set<SpanID>()
        for source in [SpanIDSource(), SpanIDSource()] {
            for _ in 0..<100_000 {
                let (trace, span) = source.newTrace()
                traces.insert(trace)
                spans.insert(span)
                spans.insert(source.newSpan())
            }
        }
        #expect(traces.count == 200_000 && spans.count == 400_000)
        #expect(!traces.contains(.null) && !spans.contains(.null))
    }
}
