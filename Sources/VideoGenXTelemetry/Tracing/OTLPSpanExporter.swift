import AsyncHTTPClient
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Tracing

/// Sends ended spans to an OTLP/HTTP collector (`POST <endpoint>/v1/traces`, protobuf) in
/// batches: every `interval`, or at once when a batch fills. Run it in the role's service group;
/// on graceful shutdown it sends what is buffered, then stops. A failed export is dropped, logged
/// once per outage and counted (`videogenx_trace_spans_total{outcome="failed"}`): tracing never
/// holds up the work it traces.
public struct OTLPSpanExporter: Service {
    private let url: String
    private let buffer: SpanBuffer
    private let resource: SpanAttributes
    private let interval: Duration
    private let timeout: TimeAmount
    private let logger: Logger
    private let exported = Counter(label: "videogenx_trace_spans_total", dimensions: [("outcome", "exported")])
    private let failed = Counter(label: "videogenx_trace_spans_total", dimensions: [("outcome", "failed")])

    init(url: String, buffer: SpanBuffer, resource: SpanAttributes, interval: Duration, timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.url = url
        self.buffer = buffer
        self.resource = resource
        self.interval = interval
        self.timeout = timeout
        self.logger = logger
    }

    /// Exports until graceful shutdown (or cancellation), then sends what is left.
    public func run() async throws {
        // Its own client: a refused connection fails after the connect timeout (AsyncHTTPClient
        // #743), so a down collector costs 2 s per pass, not the shared client's 90 s.
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(2), read: timeout))
        )
        var failing = false
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { [buffer, interval] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        buffer.requestExport()
                    }
                }
                for await _ in buffer.wakes {
                    await exportBuffered(client, failing: &failing)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: { [buffer] in
            buffer.finish()
        }
        await exportBuffered(client, failing: &failing)
        try? await client.shutdown()
    }

    /// Sends everything buffered, a batch per request; after a failed request the rest of this
    /// pass is dropped unsent, so a down collector costs one timeout per pass, not one per batch.
    private func exportBuffered(_ client: HTTPClient, failing: inout Bool) async {
        let (spans, dropped) = buffer.take()
        if dropped > 0 {
            logger.warning("Trace spans dropped: the export buffer was full", metadata: ["dropped": "\(dropped)", "capacity": "\(buffer.capacity)"])
        }
        var start = spans.startIndex
        while start < spans.endIndex {
            let batch = spans[start..<min(start + buffer.batchSize, spans.endIndex)]
            start = batch.endIndex
            if let problem = await send(batch, client: client) {
                failed.increment(by: Int64(spans.endIndex - batch.startIndex))
                if !failing { logger.warning("Trace export failed; spans are dropped until the collector answers", metadata: ["url": "\(url)", "error.message": "\(problem)"]) }
                failing = true
                return
            } else {
                exported.increment(by: Int64(batch.count))
                if failing { logger.info("Trace export works again", metadata: ["url": "\(url)"]) }
                failing = false
            }
        }
    }

    /// POSTs one batch; `nil` when the collector accepted it, else what went wrong.
    private func send(_ batch: ArraySlice<FinishedSpan>, client: HTTPClient) async -> String? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.body = .bytes(ByteBuffer(bytes: OTLPTraceEncoding.request(batch, resource: resource, scope: "videogenx")))
        do {
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (200..<300).contains(response.status.code) ? nil : "HTTP \(response.status.code)"
        } catch {
            return "\(error)"
        }
    }
}
