/// The CSV columns of `show stat` in HAProxy 2.6's order: a row's values
/// are indexed by these, so that writing or reading a field costs no
/// lookup. `modules` is the `-` column that separates the statistics
/// modules (SSL, HTTP/2, HTTP/1) from the proxy fields.
enum StatColumn: Int, CaseIterable {
    case pxname, svname, qcur, qmax, scur, smax, slim, stot, bin, bout, dreq, dresp, ereq, econ, eresp, wretr
    case wredis, status, weight, act, bck, chkfail, chkdown, lastchg, downtime, qlimit, pid, iid, sid, throttle
    case lbtot, tracked, type, rate, rate_lim, rate_max, check_status, check_code, check_duration, hrsp_1xx
    case hrsp_2xx, hrsp_3xx, hrsp_4xx, hrsp_5xx, hrsp_other, hanafail, req_rate, req_rate_max, req_tot, cli_abrt
    case srv_abrt, comp_in, comp_out, comp_byp, comp_rsp, lastsess, last_chk, last_agt, qtime, ctime, rtime, ttime
    case agent_status, agent_code, agent_duration, check_desc, agent_desc, check_rise, check_fall, check_health
    case agent_rise, agent_fall, agent_health, addr, cookie, mode, algo, conn_rate, conn_rate_max, conn_tot
    case intercepted, dcon, dses, wrew, connect, reuse, cache_lookups, cache_hits, srv_icur, src_ilim, qtime_max
    case ctime_max, rtime_max, ttime_max, eint, idle_conn_cur, safe_conn_cur, used_conn_cur, need_conn_est, uweight
    case agg_server_status, agg_server_check_status, agg_check_status, modules, ssl_sess, ssl_reused_sess
    case ssl_failed_handshake, h2_headers_rcvd, h2_data_rcvd, h2_settings_rcvd, h2_rst_stream_rcvd, h2_goaway_rcvd
    case h2_detected_conn_protocol_errors, h2_detected_strm_protocol_errors, h2_rst_stream_resp, h2_goaway_resp
    case h2_open_connections, h2_backend_open_streams, h2_total_connections, h2_backend_total_streams
    case h1_open_connections, h1_open_streams, h1_total_connections, h1_total_streams, h1_bytes_in, h1_bytes_out
    case h1_spliced_bytes_in, h1_spliced_bytes_out

    /// The name in the CSV header.
    var name: String { self == .modules ? "-" : String(describing: self) }
}
