import Logging
import Metrics
import VideoGenXCore
import VideoGenXStore

/// Gauges read from elsewhere at each scrape of `/metrics`: the queue depth by priority (from
/// the task store, so every role reports the shared queue) and the worker's devices.
enum ScrapeGauges {
    /// Refreshes `videogenx_queue_depth{priority}`; a store that does not answer leaves the last
    /// values and logs a warning (the scrape itself still answers).
    static func queueDepth(_ store: any TaskStore, logger: Logger) -> @Sendable () async -> Void {
        let gauges = Dictionary(uniqueKeysWithValues: TaskPriority.all.map {
            ($0, Gauge(label: "videogenx_queue_depth", dimensions: [("priority", $0.description)]))
        })
        return {
            do {
                for (priority, count) in try await store.queueDepth() {
                    gauges[priority]?.record(count)
                }
            } catch {
                logger.warning("queue depth not read for /metrics", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Refreshes the `videogenx_device_*` gauges from `statuses()`, one series per device.
    static func devices(_ statuses: @escaping @Sendable () -> [DeviceStatus]) -> @Sendable () async -> Void {
        {
            for status in statuses() {
                let device = [("device", status.name)]
                Gauge(label: "videogenx_device_up", dimensions: device).record(status.state == "online" ? 1 : 0)
                Gauge(label: "videogenx_device_running_tasks", dimensions: device).record(status.runningTasks)
                if let utilisation = status.utilisation {
                    Gauge(label: "videogenx_device_utilization_ratio", dimensions: device).record(utilisation)
                }
                if let used = status.memoryUsedBytes {
                    Gauge(label: "videogenx_device_memory_used_bytes", dimensions: device).record(Double(used))
                }
                if let total = status.memoryTotalBytes {
                    Gauge(label: "videogenx_device_memory_total_bytes", dimensions: device).record(Double(total))
                }
                if let temperature = status.temperatureCelsius {
                    Gauge(label: "videogenx_device_temperature_celsius", dimensions: device).record(temperature)
                }
            }
        }
    }
}
