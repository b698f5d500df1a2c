import Foundation
import Logging
import PostgresNIO
import VideoGenXStore

/// Monthly partitions of `tasks` (on `created_at`, Unix ms): the worker's maintenance job makes
/// the current month's and the next `monthsAhead` months' partitions before they are needed, so
/// rows land in their month and lookups by id prune to one partition. Rows of a month no
/// partition covers go to `tasks_default`.
public enum PostgresPartitions {
    /// The partitions of the month of `now` and the `monthsAhead` following, as
    /// (table name, first ms, first ms of the next month).
    static func months(around now: Date, monthsAhead: Int) -> [(name: String, from: Int64, to: Int64)] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month], from: now)
        guard let start = calendar.date(from: parts) else { return [] }
        return (0...max(0, monthsAhead)).compactMap { offset in
            guard let from = calendar.date(byAdding: .month, value: offset, to: start),
                  let to = calendar.date(byAdding: .month, value: 1, to: from)
            else { return nil }
            let month = calendar.dateComponents([.year, .month], from: from)
            let name = String(format: "tasks_%04d_%02d", month.year ?? 0, month.month ?? 0)
            return (name, from.milliseconds, to.milliseconds)
        }
    }

    /// Creates the missing monthly partitions around `now`; returns the names created. A month
    /// whose rows already sit in the default partition is skipped with a warning (PostgreSQL
    /// refuses a partition that would strand rows); they stay readable there.
    @discardableResult
    public static func ensure(_ client: PostgresClient, now: Date, monthsAhead: Int = 2, logger: Logger) async throws -> [String] {
        var created: [String] = []
        for month in months(around: now, monthsAhead: monthsAhead) {
            do {
                let made = try await client.withTransaction(logger: logger) { connection in
                    let exists = try await connection.query(
                        "SELECT to_regclass(\(month.name)) IS NOT NULL", logger: logger
                    ).collect().first?.decode(Bool.self) ?? false
                    guard !exists else { return false }
                    try await connection.query(PostgresQuery(unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(month.name) PARTITION OF tasks FOR VALUES FROM (\(month.from)) TO (\(month.to))
                        """), logger: logger)
                    return true
                }
                if made {
                    created.append(month.name)
                    logger.info("created task partition", metadata: ["partition": "\(month.name)"])
                }
            } catch {
                let mapped = PostgresErrors.map(error, "creating partition \(month.name)")
                guard mapped.code == .storage else { throw mapped }
                logger.warning("task partition not created", metadata: ["partition": "\(month.name)", "error": "\(mapped)"])
            }
        }
        return created
    }
}
