import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line (DESIGN §10: logs searchable by task
/// and user): `timestamp` (ISO 8601, ms, UTC), `level`, `message`, `module`, then the metadata,
/// flat. The platform's metadata keys `task.id`, `user.id` and `error` are written as
/// `task_id`, `user_id` and `error.message`; every other key as given. Keys are sorted, so
/// equal events give equal lines.
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    /// Metadata added to every event at the time it is logged (the current span's trace and span ids).
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: Sink

    /// Where lines go: a file descriptor written one whole line at a time, under a lock.
    public final class Sink: Sendable {
        private let descriptor: Int32
        private let lock = Mutex(())

        /// Lines to `descriptor` (default 2, standard error).
        public init(descriptor: Int32 = 2) {
            self.descriptor = descriptor
        }

        func write(_ line: [UInt8]) {
            lock.withLock { _ in
                line.withUnsafeBufferPointer { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let written = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                        if written <= 0 { return }
                        offset += written
                    }
                }
            }
        }

        /// Standard error, shared by every handler of the process.
        public static let standardError = Sink()
    }

    /// A handler for `label` writing to `sink`, adding `metadataProvider`'s metadata to each event.
    public init(label: String, sink: Sink = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided, uniquingKeysWith: { _, new in new })
        }
        sink.write(Self.line(event, label: label, metadata: merged))
    }

    /// The JSON line (with its newline) of `event` logged through a handler with `metadata`.
    public static func line(_ event: LogEvent, label: String, metadata: Logger.Metadata, now: Date = Date()) -> [UInt8] {
        var object: [String: Any] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            object[renamed[key] ?? key] = json(value)
        }
        if let error = event.error {
            object["error.type"] = String(reflecting: type(of: error))
            object["error.message"] = "\(error)"
        }
        object["timestamp"] = Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(now)
        object["level"] = event.level.rawValue
        object["message"] = event.message.description
        object["module"] = event.source
        object["logger"] = label
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data(#"{"level":"error","message":"unencodable log event"}"#.utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    private static let renamed = ["task.id": "task_id", "user.id": "user_id", "error": "error.message"]

    private static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let values): values.map(json)
        case .dictionary(let values): values.mapValues(json)
        }
    }
}

/// How the process writes its logs (`log.format`).
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (``JSONLogHandler``): the default of `serve`, `api` and `worker`.
    case json
    /// swift-log's plain text lines.
    case text

    /// Makes every logger of the process use this format (call once, from the composition root);
    /// `metadataProvider` adds metadata to every line (``TracingSettings/logMetadata``: `trace_id`, `span_id`).
    public func bootstrap(metadataProvider: Logger.MetadataProvider? = nil) {
        switch self {
        case .json:
            LoggingSystem.bootstrap({ JSONLogHandler(label: $0, metadataProvider: $1) }, metadataProvider: metadataProvider)
        case .text:
            LoggingSystem.bootstrap({ StreamLogHandler.standardError(label: $0, metadataProvider: $1) }, metadataProvider: metadataProvider)
        }
    }
}
