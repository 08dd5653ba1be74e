"""Replaces with `*` the values of a scrape (stdin to stdout) that depend on
time, the host or the scrapes themselves (NaN, printed where the object
has no such value, is kept); every other line is kept as is."""
import re
import sys

MASKED = {
    # the process: clocks, host limits, memory, the scrape's own traffic,
    # and listeners (the unit tests' runtime binds none)
    "haproxy_process_uptime_seconds", "haproxy_process_start_time_seconds",
    "haproxy_process_max_fds", "haproxy_process_max_sockets",
    "haproxy_process_pool_allocated_bytes", "haproxy_process_pool_used_bytes",
    "haproxy_process_current_connections", "haproxy_process_connections_total",
    "haproxy_process_requests_total", "haproxy_process_current_connection_rate",
    "haproxy_process_max_connection_rate", "haproxy_process_current_session_rate",
    "haproxy_process_max_session_rate", "haproxy_process_current_tasks",
    "haproxy_process_current_run_queue", "haproxy_process_idle_time_percent",
    "haproxy_process_jobs", "haproxy_process_listeners", "haproxy_process_bytes_out_total", "haproxy_process_bytes_out_rate",
    # frontends: the scrapes are their traffic
    "haproxy_frontend_current_sessions", "haproxy_frontend_max_sessions",
    "haproxy_frontend_sessions_total", "haproxy_frontend_bytes_in_total",
    "haproxy_frontend_bytes_out_total", "haproxy_frontend_max_session_rate",
    "haproxy_frontend_http_responses_total", "haproxy_frontend_http_requests_rate_max",
    "haproxy_frontend_http_requests_total", "haproxy_frontend_connections_rate_max",
    "haproxy_frontend_connections_total", "haproxy_frontend_intercepted_requests_total",
    # clocks and check timing
    "haproxy_backend_check_last_change_seconds", "haproxy_backend_downtime_seconds_total",
    "haproxy_server_check_last_change_seconds", "haproxy_server_downtime_seconds_total",
    "haproxy_server_check_failures_total", "haproxy_server_check_duration_seconds",
    "haproxy_server_need_connections_current",
}
LABEL = re.compile(r'version="[^"]*"')

for line in sys.stdin:
    if not line.startswith("#"):
        name = re.split(r"[{ ]", line, 1)[0]
        line = LABEL.sub('version="*"', line)
        if name in MASKED and not line.endswith(" NaN\n"):
            line = line.rsplit(" ", 1)[0] + " *\n"
    sys.stdout.write(line)
