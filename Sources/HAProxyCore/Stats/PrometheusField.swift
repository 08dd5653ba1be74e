/// A metric as HAProxy 2.6's exporter names and describes it: the name
/// after `haproxy_<section>_`, its `# TYPE` and its `# HELP` text (copied
/// from the real one's output, typos included).
struct PrometheusField {
    enum MetricType { case gauge, counter }

    let name: StaticString
    let type: MetricType
    let help: StaticString

    init(_ name: StaticString, _ type: MetricType, _ help: StaticString) {
        self.name = name
        self.type = type
        self.help = help
    }
}

/// The metrics of frontends, backends and servers: one name, type and help
/// text each, shared by the sections that print it.
extension PrometheusField {
    static let currentSessions = PrometheusField(
        "current_sessions", .gauge, "Number of current sessions on the frontend, backend or server")
    static let maxSessions = PrometheusField(
        "max_sessions", .gauge, "Highest value of current sessions encountered since process started")
    static let limitSessions = PrometheusField(
        "limit_sessions", .gauge, "Frontend/listener/server's maxconn, backend's fullconn")
    static let sessionsTotal = PrometheusField(
        "sessions_total", .counter, "Total number of sessions since process started")
    static let bytesInTotal = PrometheusField(
        "bytes_in_total", .counter, "Total number of request bytes since process started")
    static let bytesOutTotal = PrometheusField(
        "bytes_out_total", .counter, "Total number of response bytes since process started")
    static let requestsDeniedTotal = PrometheusField(
        "requests_denied_total", .counter, "Total number of denied requests since process started")
    static let responsesDeniedTotal = PrometheusField(
        "responses_denied_total", .counter, "Total number of denied responses since process started")
    static let requestErrorsTotal = PrometheusField(
        "request_errors_total", .counter, "Total number of invalid requests since process started")
    static let status = PrometheusField("status", .gauge, "Current status of the service, per state label value.")
    static let limitSessionRate = PrometheusField(
        "limit_session_rate", .gauge, "Limit on the number of sessions accepted in a second (frontend only, 'rate-limit sessions' setting)")
    static let maxSessionRate = PrometheusField(
        "max_session_rate", .gauge, "Highest value of sessions per second observed since the worker process started")
    static let httpResponsesTotal = PrometheusField(
        "http_responses_total", .counter, "Total number of HTTP responses with status 100-199 returned by this object since the worker process started")
    static let httpRequestsRateMax = PrometheusField(
        "http_requests_rate_max", .gauge, "Highest value of http requests observed since the worker process started")
    static let httpRequestsTotal = PrometheusField(
        "http_requests_total", .counter, "Total number of HTTP requests processed by this object since the worker process started")
    static let httpCompBytesInTotal = PrometheusField(
        "http_comp_bytes_in_total", .counter, "Total number of bytes submitted to the HTTP compressor for this object since the worker process started")
    static let httpCompBytesOutTotal = PrometheusField(
        "http_comp_bytes_out_total", .counter, "Total number of bytes emitted by the HTTP compressor for this object since the worker process started")
    static let httpCompBytesBypassedTotal = PrometheusField(
        "http_comp_bytes_bypassed_total", .counter, "Total number of bytes that bypassed HTTP compression for this object since the worker process started (CPU/memory/bandwidth limitation)")
    static let httpCompResponsesTotal = PrometheusField(
        "http_comp_responses_total", .counter, "Total number of HTTP responses that were compressed for this object since the worker process started")
    static let connectionsRateMax = PrometheusField(
        "connections_rate_max", .gauge, "Highest value of connections per second observed since the worker process started")
    static let connectionsTotal = PrometheusField(
        "connections_total", .counter, "Total number of new connections accepted on this frontend since the worker process started")
    static let interceptedRequestsTotal = PrometheusField(
        "intercepted_requests_total", .counter, "Total number of HTTP requests intercepted on the frontend (redirects/stats/services) since the worker process started")
    static let deniedConnectionsTotal = PrometheusField(
        "denied_connections_total", .counter, "Total number of incoming connections blocked on a listener/frontend by a tcp-request connection rule since the worker process started")
    static let deniedSessionsTotal = PrometheusField(
        "denied_sessions_total", .counter, "Total number of incoming sessions blocked on a listener/frontend by a tcp-request connection rule since the worker process started")
    static let failedHeaderRewritingTotal = PrometheusField(
        "failed_header_rewriting_total", .counter, "Total number of failed HTTP header rewrites since the worker process started")
    static let httpCacheLookupsTotal = PrometheusField(
        "http_cache_lookups_total", .counter, "Total number of HTTP requests looked up in the cache on this frontend/backend since the worker process started")
    static let httpCacheHitsTotal = PrometheusField(
        "http_cache_hits_total", .counter, "Total number of HTTP requests not found in the cache on this frontend/backend since the worker process started")
    static let internalErrorsTotal = PrometheusField(
        "internal_errors_total", .counter, "Total number of internal errors since process started")
    static let currentQueue = PrometheusField("current_queue", .gauge, "Number of current queued connections")
    static let maxQueue = PrometheusField(
        "max_queue", .gauge, "Highest value of queued connections encountered since process started")
    static let connectionErrorsTotal = PrometheusField(
        "connection_errors_total", .counter, "Total number of failed connections to server since the worker process started")
    static let responseErrorsTotal = PrometheusField(
        "response_errors_total", .counter, "Total number of invalid responses since the worker process started")
    static let retryWarningsTotal = PrometheusField(
        "retry_warnings_total", .counter, "Total number of server connection retries since the worker process started")
    static let redispatchWarningsTotal = PrometheusField(
        "redispatch_warnings_total", .counter, "Total number of server redispatches due to connection failures since the worker process started")
    static let weight = PrometheusField(
        "weight", .gauge, "Server's effective weight, or sum of active servers' effective weights for a backend")
    static let activeServers = PrometheusField(
        "active_servers", .gauge, "Total number of active UP servers with a non-zero weight")
    static let backupServers = PrometheusField(
        "backup_servers", .gauge, "Total number of backup UP servers with a non-zero weight")
    static let checkUpDownTotal = PrometheusField(
        "check_up_down_total", .counter, "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started")
    static let checkLastChangeSeconds = PrometheusField(
        "check_last_change_seconds", .gauge, "How long ago the last server state changed, in seconds")
    static let downtimeSecondsTotal = PrometheusField(
        "downtime_seconds_total", .counter, "Total time spent in DOWN state, for server or backend")
    static let loadbalancedTotal = PrometheusField(
        "loadbalanced_total", .counter, "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)")
    static let clientAbortsTotal = PrometheusField(
        "client_aborts_total", .counter, "Total number of requests or connections aborted by the client since the worker process started")
    static let serverAbortsTotal = PrometheusField(
        "server_aborts_total", .counter, "Total number of requests or connections aborted by the server since the worker process started")
    static let lastSessionSeconds = PrometheusField(
        "last_session_seconds", .gauge, "How long ago some traffic was seen on this object on this worker process, in seconds")
    static let queueTimeAverageSeconds = PrometheusField(
        "queue_time_average_seconds", .gauge, "Avg. queue time for last 1024 successful connections.")
    static let connectTimeAverageSeconds = PrometheusField(
        "connect_time_average_seconds", .gauge, "Avg. connect time for last 1024 successful connections.")
    static let responseTimeAverageSeconds = PrometheusField(
        "response_time_average_seconds", .gauge, "Avg. response time for last 1024 successful connections.")
    static let totalTimeAverageSeconds = PrometheusField(
        "total_time_average_seconds", .gauge, "Avg. total time for last 1024 successful connections.")
    static let connectionAttemptsTotal = PrometheusField(
        "connection_attempts_total", .counter, "Total number of outgoing connection attempts on this backend/server since the worker process started")
    static let connectionReusesTotal = PrometheusField(
        "connection_reuses_total", .counter, "Total number of reused connection on this backend/server since the worker process started")
    static let maxQueueTimeSeconds = PrometheusField(
        "max_queue_time_seconds", .gauge, "Maximum observed time spent in the queue")
    static let maxConnectTimeSeconds = PrometheusField(
        "max_connect_time_seconds", .gauge, "Maximum observed time spent waiting for a connection to complete")
    static let maxResponseTimeSeconds = PrometheusField(
        "max_response_time_seconds", .gauge, "Maximum observed time spent waiting for a server response")
    static let maxTotalTimeSeconds = PrometheusField(
        "max_total_time_seconds", .gauge, "Maximum observed total request+response time (request+queue+connect+response+processing)")
    static let uweight = PrometheusField(
        "uweight", .gauge, "Server's user weight, or sum of active servers' user weights for a backend")
    static let aggServerStatus = PrometheusField(
        "agg_server_status", .gauge, "Backend's aggregated gauge of servers' status")
    static let aggServerCheckStatus = PrometheusField(
        "agg_server_check_status", .gauge, "Backend's aggregated gauge of servers' state check status")
    static let aggCheckStatus = PrometheusField(
        "agg_check_status", .gauge, "Backend's aggregated gauge of servers' state check status")
    static let checkFailuresTotal = PrometheusField(
        "check_failures_total", .counter, "Total number of failed individual health checks per server/backend, since the worker process started")
    static let queueLimit = PrometheusField(
        "queue_limit", .gauge, "Limit on the number of connections in queue, for servers only (maxqueue argument)")
    static let currentThrottle = PrometheusField(
        "current_throttle", .gauge, "Throttling ratio applied to a server's maxconn and weight during the slowstart period (0 to 100%)")
    static let checkStatus = PrometheusField(
        "check_status", .gauge, "Status of last health check, per state label value.")
    static let checkCode = PrometheusField(
        "check_code", .gauge, "layer5-7 code, if available of the last health check.")
    static let checkDurationSeconds = PrometheusField(
        "check_duration_seconds", .gauge, "Total duration of the latest server health check, in seconds.")
    static let idleConnectionsCurrent = PrometheusField(
        "idle_connections_current", .gauge, "Current number of idle connections available for reuse on this server")
    static let idleConnectionsLimit = PrometheusField(
        "idle_connections_limit", .gauge, "Limit on the number of available idle connections on this server (server 'pool_max_conn' directive)")
    static let unsafeIdleConnectionsCurrent = PrometheusField(
        "unsafe_idle_connections_current", .gauge, "Current number of unsafe idle connections")
    static let safeIdleConnectionsCurrent = PrometheusField(
        "safe_idle_connections_current", .gauge, "Current number of safe idle connections")
    static let usedConnectionsCurrent = PrometheusField(
        "used_connections_current", .gauge, "Current number of connections in use")
    static let needConnectionsCurrent = PrometheusField(
        "need_connections_current", .gauge, "Estimated needed number of connections")
}
