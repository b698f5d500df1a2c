import Metrics
import Synchronization

/// Ended spans waiting for ``OTLPSpanExporter``: appending takes a lock, never a task hop. Holds at
/// most `capacity` spans; beyond that spans are dropped and counted
/// (`videogenx_trace_spans_total{outcome="dropped"}`), so a slow collector never grows memory.
final class SpanBuffer: Sendable {
    private struct State {
        var spans: [FinishedSpan] = []
        var dropped = 0
    }

    /// The most spans held; a full buffer drops new spans.
    let capacity: Int
    /// Spans per export request; reaching it wakes the exporter early.
    let batchSize: Int
    private let state = Mutex(State())
    private let wake: AsyncStream<Void>.Continuation
    /// Ticks for the exporter: one per full batch or ``requestExport()`` (coalesced).
    let wakes: AsyncStream<Void>
    private let droppedCounter = Counter(label: "videogenx_trace_spans_total", dimensions: [("outcome", "dropped")])

    init(capacity: Int = 8192, batchSize: Int = 512) {
        self.capacity = capacity
        self.batchSize = batchSize
        (wakes, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues an ended span (or drops it when full).
    func append(_ span: FinishedSpan) {
        let (accepted, batchFull) = state.withLock { state -> (Bool, Bool) in
            guard state.spans.count < capacity else {
                state.dropped += 1
                return (false, false)
            }
            state.spans.append(span)
            return (true, state.spans.count == batchSize)
        }
        if !accepted { droppedCounter.increment() }
        if batchFull { wake.yield() }
    }

    /// Everything queued, emptying the buffer, and how many spans were dropped since last time.
    func take() -> (spans: [FinishedSpan], dropped: Int) {
        state.withLock { state in
            defer {
                state.spans = []
                state.spans.reserveCapacity(batchSize)
                state.dropped = 0
            }
            return (state.spans, state.dropped)
        }
    }

    /// Wakes the exporter now.
    func requestExport() {
        wake.yield()
    }

    /// Ends ``wakes``: the exporter sends what is left and stops.
    func finish() {
        wake.finish()
    }
}
