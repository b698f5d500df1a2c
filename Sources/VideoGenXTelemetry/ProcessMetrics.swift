import Foundation
import Metrics
import Synchronization

/// The standard `process_*` metrics of Prometheus' client libraries (CPU seconds, resident and
/// virtual memory, open and maximum file descriptors, start time), read from `/proc/self` at each
/// scrape. On a system without `/proc` nothing is reported.
public final class ProcessMetrics: Sendable {
    private let cpu = FloatingPointCounter(label: "process_cpu_seconds_total")
    private let resident = Gauge(label: "process_resident_memory_bytes")
    private let virtual = Gauge(label: "process_virtual_memory_bytes")
    private let openFDs = Gauge(label: "process_open_fds")
    private let maxFDs = Gauge(label: "process_max_fds")
    private let startTime = Gauge(label: "process_start_time_seconds")
    /// CPU seconds already added to the counter.
    private let reportedCPU = Mutex(0.0)

    /// Metrics created in the current metrics factory.
    public init() {}

    /// Reads `/proc` and updates the gauges and the CPU counter.
    public func update() {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return }
        // Fields after the command name (which may hold spaces): state is field 3 of proc(5).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let user = field(14), let system = field(15), ticks > 0 {
            let total = (user + system) / ticks
            let delta = reportedCPU.withLock { reported in
                defer { reported = max(reported, total) }
                return total - reported
            }
            if delta > 0 { cpu.increment(by: delta) }
        }
        if let pages = field(24) { resident.record(pages * pageSize) }
        if let bytes = field(23) { virtual.record(bytes) }
        if let started = field(22), ticks > 0, let boot = Self.bootTime() { startTime.record(boot + started / ticks) }
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") { openFDs.record(entries.count) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.record(Double(limit.rlim_cur)) }
    }

    /// The system's boot time in seconds since the epoch (`btime` of `/proc/stat`).
    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
