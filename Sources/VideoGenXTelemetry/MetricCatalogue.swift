/// Every metric VideoGenX exports, with its help text and histogram buckets: the one list the
/// Prometheus exposition, the README and the dashboards agree on. A metric missing here is
/// exported without `# HELP`, which `promtool check metrics` (run by the tests) refuses.
public enum MetricCatalogue {
    /// What a metric means and, for histograms, its bucket bounds (seconds for durations).
    public struct Entry: Sendable {
        /// The `# HELP` line.
        public var help: String
        /// Upper bounds of the histogram's buckets; `nil` for counters and gauges.
        public var buckets: [Double]?
    }

    /// HTTP latencies: 1 ms to 30 s.
    static let httpBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    /// Whole tasks and queue waits: 0.1 s to 1 h.
    static let taskBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600]
    /// Sampler steps and model loads: 5 ms to 5 min.
    static let modelBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 30, 60, 300]
    /// Database and object store operations: 0.5 ms to 60 s.
    static let storageBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60]

    /// The entries by exported name.
    public static let entries: [String: Entry] = [
        // Business
        "videogenx_http_requests_total": Entry(help: "HTTP requests answered, by route template, method and status."),
        "videogenx_http_request_duration_seconds": Entry(help: "HTTP request latency by route template, method and status.", buckets: httpBuckets),
        "videogenx_http_request_errors_total": Entry(help: "HTTP requests that ended in an error, by route template, method and error type."),
        "videogenx_http_active_requests": Entry(help: "HTTP requests in progress, by method."),
        "videogenx_tasks_submitted_total": Entry(help: "Tasks accepted (idempotent replays not counted), by priority and tier."),
        "videogenx_tasks_finished_total": Entry(help: "Tasks that reached an end state, by status and reason (the error code; 'none' on success)."),
        "videogenx_task_duration_seconds": Entry(help: "Seconds from submission to the end state, by status.", buckets: taskBuckets),
        "videogenx_task_queue_wait_seconds": Entry(help: "Seconds a task waited from submission to its first claim, by priority.", buckets: taskBuckets),
        "videogenx_queue_depth": Entry(help: "Tasks queued now, by priority (read from the task store at scrape time)."),
        "videogenx_callbacks_total": Entry(help: "Callback delivery attempts, by outcome (delivered, retry, abandoned)."),
        // Model
        "videogenx_sampler_step_duration_seconds": Entry(help: "Seconds of one batched sampler step, by model and device.", buckets: modelBuckets),
        "videogenx_batch_size": Entry(help: "Tasks in a sampler step, by device.", buckets: [1, 2, 3, 4, 6, 8, 12, 16, 24, 32]),
        "videogenx_model_load_duration_seconds": Entry(help: "Seconds to acquire a model, by model and kind (cold: loaded now; warm: already loaded).", buckets: modelBuckets),
        "videogenx_preemptions_total": Entry(help: "Times running work was stopped for a P0 task."),
        "videogenx_fallbacks_total": Entry(help: "Task runs rendered on the fallback model after the primary failed."),
        "videogenx_inference_errors_total": Entry(help: "Batches the model or its device failed, by model."),
        "videogenx_device_faults_total": Entry(help: "Batches released because their device went offline or hung."),
        "videogenx_memory_splits_total": Entry(help: "Batch starts and steps the memory guard held below the batch cap."),
        "videogenx_batch_steps_total": Entry(help: "Batched sampler steps run."),
        "videogenx_task_steps_total": Entry(help: "Task sampler steps run (a batch step of n tasks counts n)."),
        // Devices
        "videogenx_device_utilization_ratio": Entry(help: "Busy fraction of the device over its last sample period, 0-1."),
        "videogenx_device_memory_used_bytes": Entry(help: "Device memory in use (the process's resident memory for the CPU)."),
        "videogenx_device_memory_total_bytes": Entry(help: "Device memory in total."),
        "videogenx_device_temperature_celsius": Entry(help: "Device core temperature (GPUs reporting one)."),
        "videogenx_device_up": Entry(help: "1 when the device is in service, 0 when it is offline."),
        "videogenx_device_running_tasks": Entry(help: "Tasks running on the device now."),
        // Tracing
        "videogenx_trace_spans_total": Entry(help: "Trace spans by export outcome (exported, failed: the collector refused or was unreachable, dropped: the export buffer was full)."),
        // Storage
        "videogenx_store_operation_duration_seconds": Entry(help: "Task store operation latency, by operation.", buckets: storageBuckets),
        "videogenx_store_errors_total": Entry(help: "Task store operations that threw, by operation."),
        "videogenx_object_store_operation_duration_seconds": Entry(help: "Object store operation latency, by operation.", buckets: storageBuckets),
        "videogenx_object_store_bytes_total": Entry(help: "Bytes moved to (put) and from (get) the object store."),
        "videogenx_object_store_errors_total": Entry(help: "Object store operations that threw, by operation."),
        "videogenx_redis_fallbacks_total": Entry(help: "Times a use of the shared Redis (cache, rate_limit, nonce) fell back because Redis did not answer."),
        "videogenx_upload_spool_entries": Entry(help: "Finished tasks whose files wait in the upload spool."),
        // Process (the standard names of Prometheus' client libraries)
        "process_cpu_seconds_total": Entry(help: "Total user and system CPU time spent in seconds."),
        "process_resident_memory_bytes": Entry(help: "Resident memory size in bytes."),
        "process_virtual_memory_bytes": Entry(help: "Virtual memory size in bytes."),
        "process_open_fds": Entry(help: "Number of open file descriptors."),
        "process_max_fds": Entry(help: "Maximum number of open file descriptors."),
        "process_start_time_seconds": Entry(help: "Start time of the process since unix epoch in seconds."),
    ]
}

extension MetricCatalogue.Entry {
    init(help: String) {
        self.init(help: help, buckets: nil)
    }
}
