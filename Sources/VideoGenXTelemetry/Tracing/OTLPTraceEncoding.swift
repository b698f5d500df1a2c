import Tracing
import W3CTraceContext

/// Encodes spans as an OTLP `ExportTraceServiceRequest` (opentelemetry-proto
/// `collector/trace/v1`, protobuf), one resource and one instrumentation scope per request.
enum OTLPTraceEncoding {
    /// The request body for `spans` of the process described by `resource`.
    static func request(_ spans: some Collection<FinishedSpan>, resource: SpanAttributes, scope: String) -> [UInt8] {
        var writer = ProtobufWriter(capacity: 256 * spans.count + 256)
        writer.messageField(1) { resourceSpans in  // ResourceSpans
            resourceSpans.messageField(1) { $0.attributes(1, resource) }  // Resource
            resourceSpans.messageField(2) { scopeSpans in  // ScopeSpans
                scopeSpans.messageField(1) { $0.stringField(1, scope) }  // InstrumentationScope
                for span in spans {
                    scopeSpans.messageField(2) { $0.span(span) }
                }
            }
        }
        return writer.bytes
    }

    /// The HTTP attributes' keys, encoded once, each at its name's ``HTTPServerSpanFields/Name/index``.
    fileprivate static let httpKeys: [ProtobufWriter.EncodedKey] = {
        let names = HTTPServerSpanFields.Name.allCases
        var keys = [ProtobufWriter.EncodedKey](repeating: ProtobufWriter.EncodedKey(""), count: names.count)
        for name in names { keys[name.index] = ProtobufWriter.EncodedKey(name.rawValue) }
        return keys
    }()
}

extension HTTPServerSpanFields.Name {
    /// Where the name's encoded key sits in `httpKeys` (no array lookup by value on each span).
    fileprivate var index: Int {
        switch self {
        case .method: 0
        case .path: 1
        case .query: 2
        case .userAgent: 3
        case .requestBodySize: 4
        case .route: 5
        case .statusCode: 6
        case .responseBodySize: 7
        }
    }
}

extension ProtobufWriter {
    fileprivate mutating func span(_ span: FinishedSpan) {
        traceID(1, span.trace.traceID)
        spanID(2, span.trace.spanID)
        stringField(3, span.trace.traceStateHeaderValue ?? "")
        if let parent = span.parent { spanID(4, parent.trace.spanID) }
        stringField(5, span.name)
        varintField(6, span.kind.otlpValue)
        fixed64Field(7, span.startNanoseconds)
        fixed64Field(8, span.endNanoseconds)
        attributes(9, span.attributes)
        if let http = span.http {
            http.forEachField(
                string: { name, value in keyValue(9, OTLPTraceEncoding.httpKeys[name.index], string: value) },
                int: { name, value in keyValue(9, OTLPTraceEncoding.httpKeys[name.index], int: Int64(value)) }
            )
        }
        for event in span.events {
            messageField(11) {
                $0.fixed64Field(1, event.nanosecondsSinceEpoch)
                $0.stringField(2, event.name)
                $0.attributes(3, event.attributes)
            }
        }
        for link in span.links {
            messageField(13) {
                $0.traceID(1, link.trace.traceID)
                $0.spanID(2, link.trace.spanID)
                $0.stringField(3, link.trace.traceStateHeaderValue ?? "")
                $0.attributes(4, link.attributes)
                $0.fixed32Field(6, UInt32(link.trace.flags.rawValue))
            }
        }
        if let status = span.status {
            messageField(15) {
                $0.stringField(2, status.message ?? "")
                $0.varintField(3, status.code == .ok ? 1 : 2)
            }
        }
        // Trace flags, plus "has is-remote" (0x100) and "parent is remote" (0x200).
        let remote: UInt32 = span.parent?.isRemote == true ? 0x300 : 0x100
        fixed32Field(16, UInt32(span.trace.flags.rawValue) | remote)
    }

    fileprivate mutating func traceID(_ field: Int, _ id: TraceID) {
        withUnsafeBytes(of: id.bytes) { bytesField(field, $0) }
    }

    fileprivate mutating func spanID(_ field: Int, _ id: SpanID) {
        withUnsafeBytes(of: id.bytes) { bytesField(field, $0) }
    }

    /// Repeated `KeyValue` entries in field `field`.
    fileprivate mutating func attributes(_ field: Int, _ attributes: SpanAttributes) {
        attributes.forEach { key, value in keyValue(field, key, value) }
    }

    /// One `KeyValue` entry in field `field`.
    private mutating func keyValue(_ field: Int, _ key: String, _ value: SpanAttribute) {
        messageField(field) {
            $0.stringField(1, key)
            $0.messageField(2) { $0.anyValue(value) }
        }
    }

    /// An `AnyValue`: string 1, bool 2, int 3, double 4, array 5.
    private mutating func anyValue(_ attribute: SpanAttribute) {
        switch attribute {
        case .string(let value): presentStringField(1, value)
        case .bool(let value): presentVarintField(2, value ? 1 : 0)
        case .int32(let value): presentVarintField(3, UInt64(bitPattern: Int64(value)))
        case .int64(let value): presentVarintField(3, UInt64(bitPattern: value))
        case .double(let value): doubleField(4, value)
        case .stringConvertible(let value): presentStringField(1, value.description)
        case .stringArray(let values): array(values.map(SpanAttribute.string))
        case .int32Array(let values): array(values.map { .int64(Int64($0)) })
        case .int64Array(let values): array(values.map(SpanAttribute.int64))
        case .doubleArray(let values): array(values.map(SpanAttribute.double))
        case .boolArray(let values): array(values.map(SpanAttribute.bool))
        case .stringConvertibleArray(let values): array(values.map { .string($0.description) })
        default: presentStringField(1, "\(attribute)")
        }
    }

    private mutating func array(_ values: [SpanAttribute]) {
        messageField(5) { array in
            for value in values {
                array.messageField(1) { $0.anyValue(value) }
            }
        }
    }
}

extension SpanKind {
    /// OTLP's `Span.SpanKind` number.
    fileprivate var otlpValue: UInt64 {
        switch self {
        case .internal: 1
        case .server: 2
        case .client: 3
        case .producer: 4
        case .consumer: 5
        }
    }
}
