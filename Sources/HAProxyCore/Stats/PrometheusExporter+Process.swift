/// The `global` scope: the process metrics, each one a `show info` field.
extension PrometheusExporter {
    /// Each metric with the position of its `show info` field (as `show
    /// info typed` numbers them). 45 and 46 (zlib memory) exist only in
    /// builds with zlib, which Debian's is not: 2.6 prints NaN for them.
    static let processMetrics: [(field: PrometheusField, position: Int)] = [
        (PrometheusField("nbthread", .gauge, "Number of started threads (global.nbthread)"), 3),
        (PrometheusField("nbproc", .gauge, "Number of started worker processes (historical, always 1)"), 4),
        (PrometheusField("relative_process_id", .gauge, "Relative worker process number (1)"), 5),
        (PrometheusField("uptime_seconds", .gauge, "How long ago this worker process was started (seconds)"), 8),
        (PrometheusField(
            "pool_failures_total", .counter,
            "Number of failed pool allocations since this worker was started"), 12),
        (PrometheusField("max_fds", .gauge, "Hard limit on the number of per-process file descriptors"), 13),
        (PrometheusField("max_sockets", .gauge, "Hard limit on the number of per-process sockets"), 14),
        (PrometheusField(
            "max_connections", .gauge,
            "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)"), 15),
        (PrometheusField(
            "hard_max_connections", .gauge,
            "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)"), 16),
        (PrometheusField("current_connections", .gauge, "Current number of connections on this worker process"), 17),
        (PrometheusField(
            "connections_total", .counter,
            "Total number of connections on this worker process since started"), 18),
        (PrometheusField(
            "requests_total", .counter,
            "Total number of requests on this worker process since started"), 19),
        (PrometheusField(
            "max_ssl_connections", .gauge,
            "Hard limit on the number of per-process SSL endpoints (front+back), 0=unlimited"), 20),
        (PrometheusField(
            "current_ssl_connections", .gauge,
            "Current number of SSL endpoints on this worker process (front+back)"), 21),
        (PrometheusField(
            "ssl_connections_total", .counter,
            "Total number of SSL endpoints on this worker process since started (front+back)"), 22),
        (PrometheusField("max_pipes", .gauge, "Hard limit on the number of pipes for splicing, 0=unlimited"), 23),
        (PrometheusField("pipes_used_total", .counter, "Current number of pipes in use in this worker process"), 24),
        (PrometheusField(
            "pipes_free_total", .counter,
            "Current number of allocated and available pipes in this worker process"), 25),
        (PrometheusField(
            "current_connection_rate", .gauge,
            "Number of front connections created on this worker process over the last second"), 26),
        (PrometheusField("limit_connection_rate", .gauge, "Hard limit for ConnRate (global.maxconnrate)"), 27),
        (PrometheusField(
            "max_connection_rate", .gauge,
            "Highest ConnRate reached on this worker process since started (in connections per second)"), 28),
        (PrometheusField(
            "current_session_rate", .gauge,
            "Number of sessions created on this worker process over the last second"), 29),
        (PrometheusField("limit_session_rate", .gauge, "Hard limit for SessRate (global.maxsessrate)"), 30),
        (PrometheusField(
            "max_session_rate", .gauge,
            "Highest SessRate reached on this worker process since started (in sessions per second)"), 31),
        (PrometheusField(
            "current_ssl_rate", .gauge,
            "Number of SSL connections created on this worker process over the last second"), 32),
        (PrometheusField("limit_ssl_rate", .gauge, "Hard limit for SslRate (global.maxsslrate)"), 33),
        (PrometheusField(
            "max_ssl_rate", .gauge,
            "Highest SslRate reached on this worker process since started (in connections per second)"), 34),
        (PrometheusField(
            "current_frontend_ssl_key_rate", .gauge,
            "Number of SSL keys created on frontends in this worker process over the last second"), 35),
        (PrometheusField(
            "max_frontend_ssl_key_rate", .gauge,
            "Highest SslFrontendKeyRate reached on this worker process since started (in SSL keys per second)"), 36),
        (PrometheusField(
            "frontend_ssl_reuse", .gauge,
            "Percent of frontend SSL connections which did not require a new key"), 37),
        (PrometheusField(
            "current_backend_ssl_key_rate", .gauge,
            "Number of SSL keys created on backends in this worker process over the last second"), 38),
        (PrometheusField(
            "max_backend_ssl_key_rate", .gauge,
            "Highest SslBackendKeyRate reached on this worker process since started (in SSL keys per second)"), 39),
        (PrometheusField(
            "ssl_cache_lookups_total", .counter,
            "Total number of SSL session ID lookups in the SSL session cache on this worker since started"), 40),
        (PrometheusField(
            "ssl_cache_misses_total", .counter,
            "Total number of SSL session ID lookups that didn't find a session in the SSL session cache on this worker since started"), 41),
        (PrometheusField(
            "http_comp_bytes_in_total", .counter,
            "Number of bytes submitted to the HTTP compressor in this worker process over the last second"), 42),
        (PrometheusField(
            "http_comp_bytes_out_total", .counter,
            "Number of bytes emitted by the HTTP compressor in this worker process over the last second"), 43),
        (PrometheusField(
            "limit_http_comp", .gauge,
            "Limit of CompressBpsOut beyond which HTTP compression is automatically disabled"), 44),
        (PrometheusField(
            "current_zlib_memory", .gauge,
            "Amount of memory currently used by HTTP compression on the current worker process (in bytes)"), 45),
        (PrometheusField(
            "max_zlib_memory", .gauge,
            "Limit on the amount of memory used by HTTP compression above which it is automatically disabled (in bytes, see global.maxzlibmem)"), 46),
        (PrometheusField(
            "current_tasks", .gauge,
            "Total number of tasks in the current worker process (active + sleeping)"), 47),
        (PrometheusField(
            "current_run_queue", .gauge,
            "Total number of active tasks+tasklets in the current worker process"), 48),
        (PrometheusField(
            "idle_time_percent", .gauge,
            "Percentage of last second spent waiting in the current worker thread"), 49),
        (PrometheusField("stopping", .gauge, "1 if the worker process is currently stopping, otherwise zero"), 52),
        (PrometheusField(
            "jobs", .gauge,
            "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)"), 53),
        (PrometheusField(
            "unstoppable_jobs", .gauge,
            "Current number of unstoppable jobs on the current worker process (master connections)"), 54),
        (PrometheusField("listeners", .gauge, "Current number of active listeners on the current worker process"), 55),
        (PrometheusField(
            "active_peers", .gauge,
            "Current number of verified active peers connections on the current worker process"), 56),
        (PrometheusField(
            "connected_peers", .gauge,
            "Current number of peers having passed the connection step on the current worker process"), 57),
        (PrometheusField(
            "dropped_logs_total", .counter,
            "Total number of dropped logs for current worker process since started"), 58),
        (PrometheusField(
            "busy_polling_enabled", .gauge,
            "1 if busy-polling is currently in use on the worker process, otherwise zero (config.busy-polling)"), 59),
        (PrometheusField(
            "failed_resolutions", .counter,
            "Total number of failed DNS resolutions in current worker process since started"), 60),
        (PrometheusField(
            "bytes_out_total", .counter,
            "Total number of bytes emitted by current worker process since started"), 61),
        (PrometheusField(
            "spliced_bytes_out_total", .counter,
            "Total number of bytes emitted by current worker process through a kernel pipe since started"), 62),
        (PrometheusField(
            "bytes_out_rate", .gauge,
            "Number of bytes emitted by current worker process over the last second"), 63),
        (PrometheusField(
            "recv_logs_total", .counter,
            "Total number of log messages received by log-forwarding listeners on this worker process since started"), 65),
        (PrometheusField("build_info", .gauge, "Build info"), 66),
        (PrometheusField(
            "max_memory_bytes", .gauge,
            "Worker process's hard limit on memory usage in byes (-m on command line)"), 67),
        (PrometheusField("pool_allocated_bytes", .gauge, "Amount of memory allocated in pools (in bytes)"), 68),
        (PrometheusField("pool_used_bytes", .gauge, "Amount of pool memory currently used (in bytes)"), 69),
        (PrometheusField("start_time_seconds", .gauge, "Start time in seconds"), 70),
    ]

    /// `show info`'s position of `Build info`, printed as a `version` label.
    private static let buildInfoPosition = 66

    static func writeProcess(_ fields: [StatField], to writer: inout PrometheusTextWriter) {
        var byPosition = [StatField.Value?](repeating: nil, count: 80)
        for field in fields where byPosition.indices.contains(field.pos) { byPosition[field.pos] = field.value }
        for (field, position) in processMetrics {
            writer.begin(field, section: "process")
            if position == buildInfoPosition {
                writer.sample(proxy: nil, extra: ("version", BuildInfo.version), .int(1))
            } else {
                writer.sample(byPosition[position].map(PrometheusValue.init) ?? .nan)
            }
        }
    }
}
