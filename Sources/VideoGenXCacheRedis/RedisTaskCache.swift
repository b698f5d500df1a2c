import Foundation
import VideoGenXCore
import VideoGenXServer
import VideoGenXStore

/// The status cache level shared by API nodes: each task as a Redis string (`<prefix>task:<id>`)
/// holding its record as JSON, or `-` for a task known not to exist, with the TTL the
/// in-process cache chose (jittered). Redis errors count as misses and skipped writes.
public struct RedisTaskCache: SharedTaskCache {
    private let client: RedisClient
    private let reporter: RedisFallbackReporter
    private let prefix: String
    private static let missingMarker = "-"

    /// Entries under `<prefix>task:<id>` on `client`.
    public init(client: RedisClient, reporter: RedisFallbackReporter, prefix: String = "vgx:") {
        self.client = client
        self.reporter = reporter
        self.prefix = prefix
    }

    public func entry(for id: TaskID) async -> SharedTaskEntry? {
        do {
            guard case .bulkString(let bytes?) = try await client.send(["GET", key(id)]) else { return nil }
            if bytes == Array(Self.missingMarker.utf8) { return .missing }
            return .found(try JSONDecoder().decode(TaskRecord.self, from: Data(bytes)))
        } catch {
            reporter.fellBack(.cache, error: error)
            return nil
        }
    }

    public func store(_ entry: SharedTaskEntry, for id: TaskID, ttl: TimeInterval) async {
        do {
            let value: String
            switch entry {
            case .found(let record): value = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
            case .missing: value = Self.missingMarker
            }
            _ = try await client.send(["SET", key(id), value, "PX", String(max(1, Int(ttl * 1000)))])
        } catch {
            reporter.fellBack(.cache, error: error)
        }
    }

    /// One `DEL` for all of `ids`.
    public func remove(_ ids: [TaskID]) async {
        guard !ids.isEmpty else { return }
        do {
            _ = try await client.send(["DEL"] + ids.map(key))
        } catch {
            reporter.fellBack(.cache, error: error)
        }
    }

    private func key(_ id: TaskID) -> String {
        prefix + "task:" + id.rawValue
    }
}
