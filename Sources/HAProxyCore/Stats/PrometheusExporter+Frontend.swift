/// The `frontend` scope: one sample per frontend (and `listen`) for each
/// metric, from its `show stat` snapshot. HTTP-only metrics skip the
/// frontends of `mode tcp`, as in 2.6.
extension PrometheusExporter {
    /// `haproxy_frontend_status`: 2.6 prints a paused frontend as UP, a
    /// stopped one as DOWN.
    static let frontendStates = ["DOWN", "UP"]

    static let frontendMetrics: [PrometheusMetric<StatSnapshot>] = [
        .value(.currentSessions) { .int($0.sessionsCurrent) },
        .value(.maxSessions) { .int($0.sessionsMax) },
        .value(.limitSessions) { .int($0.sessionLimit ?? 0) },
        .value(.sessionsTotal) { .int($0.sessionsTotal) },
        .value(.bytesInTotal) { .uint($0.bytesIn) },
        .value(.bytesOutTotal) { .uint($0.bytesOut) },
        .value(.requestsDeniedTotal) { .int($0.deniedRequests ?? 0) },
        .value(.responsesDeniedTotal) { .int($0.deniedResponses) },
        .value(.requestErrorsTotal) { .int($0.requestErrors ?? 0) },
        .states(.status, frontendStates) { $0.status == "STOP" ? 0 : 1 },
        .value(.limitSessionRate) { .int(Int($0.sessionRateLimit ?? 0)) },
        .value(.maxSessionRate) { .int(Int($0.sessionRateMax)) },
        .counts(.httpResponsesTotal, responseCodes, label: "code", labelMajor: true) { s, code in
            responses(s, code)
        },
        .value(.httpRequestsRateMax) { $0.isHTTP ? .int(Int($0.requestRateMax ?? 0)) : nil },
        .value(.httpRequestsTotal) { $0.isHTTP ? .int($0.requestsTotal ?? 0) : nil },
        .value(.httpCompBytesInTotal) { compression($0) { .uint($0.bytesIn) } },
        .value(.httpCompBytesOutTotal) { compression($0) { .uint($0.bytesOut) } },
        .value(.httpCompBytesBypassedTotal, httpZero),
        .value(.httpCompResponsesTotal) { compression($0) { .int($0.responses) } },
        // Each accepted connection starts a session at once in this build.
        .value(.connectionsRateMax) { .int(Int($0.sessionRateMax)) },
        .value(.connectionsTotal) { .int($0.connectionsTotal) },
        .value(.interceptedRequestsTotal) { $0.isHTTP ? .int($0.interceptedRequests) : nil },
        .value(.deniedConnectionsTotal) { .int($0.deniedConnections) },
        .value(.deniedSessionsTotal) { .int($0.deniedSessions) },
        .value(.failedHeaderRewritingTotal) { _ in .int(0) },
        .value(.httpCacheLookupsTotal, httpZero),
        .value(.httpCacheHitsTotal, httpZero),
        .value(.internalErrorsTotal) { _ in .int(0) },
    ]

    /// Values of the `code` label of `http_responses_total`, in the order
    /// of `HTTPResponseCounters.byClass`.
    static let responseCodes = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]

    /// The count of `responseCodes[code]`; none outside `mode http`.
    static func responses(_ s: StatSnapshot, _ code: Int) -> PrometheusValue? {
        guard let r = s.responses else { return nil }
        switch code {
        case 0: return .uint(r.informational)
        case 1: return .uint(r.success)
        case 2: return .uint(r.redirection)
        case 3: return .uint(r.clientError)
        case 4: return .uint(r.serverError)
        default: return .uint(r.other)
        }
    }

    /// A `compression` counter of an HTTP proxy; no sample for a TCP one.
    static func compression(_ s: StatSnapshot, _ value: (CompressionCounters) -> PrometheusValue) -> PrometheusValue? {
        s.isHTTP ? value(s.compression) : nil
    }

    /// 0 for an HTTP proxy, no sample for a TCP one: the counters of
    /// features this build lacks (cache, compression bypass).
    static func httpZero(_ s: StatSnapshot) -> PrometheusValue? { s.isHTTP ? .int(0) : nil }
}
