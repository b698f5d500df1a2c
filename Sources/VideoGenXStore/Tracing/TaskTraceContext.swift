import Tracing

/// The W3C `traceparent` a task carries from the request that submitted it to every process that
/// works on it (DESIGN §10): stored in the task's `trace_context`, so the worker's spans (claim,
/// render, upload, complete, callback) continue the request's trace, even in another process.
/// With tracing off (no instrument bootstrapped) nothing is captured and nothing continued.
public enum TaskTraceContext {
    /// The `traceparent` of the current span, to store with a new task; `nil` without one.
    public static func current() -> String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// A context whose spans continue `traceparent` (a fresh top-level context when `nil` or
    /// malformed).
    public static func context(continuing traceparent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard let traceparent else { return context }
        InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        return context
    }

    /// `traceparent` (and `tracestate`) of `context` as HTTP header values, to send with an
    /// outgoing request (the callback POST).
    public static func headers(of context: ServiceContext) -> [String: String] {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier
    }

    private struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }

    private struct DictionaryExtractor: Extractor {
        func extract(key: String, from carrier: [String: String]) -> String? {
            carrier[key]
        }
    }
}

extension TaskRecord {
    /// A context continuing the trace of the request that submitted this task.
    public var traceParentContext: ServiceContext {
        TaskTraceContext.context(continuing: traceContext)
    }
}
