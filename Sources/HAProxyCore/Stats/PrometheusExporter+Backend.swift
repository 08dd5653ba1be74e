/// The `backend` scope: one sample per backend (and `listen`) for each
/// metric, from its `show stat` snapshot and its servers' states.
extension PrometheusExporter {
    static let backendMetrics: [PrometheusMetric<PrometheusBackendSample>] = [
        .value(.currentQueue) { .int($0.stats.queueCurrent ?? 0) },
        .value(.maxQueue) { .int($0.stats.queueMax ?? 0) },
        .value(.currentSessions) { .int($0.stats.sessionsCurrent) },
        .value(.maxSessions) { .int($0.stats.sessionsMax) },
        .value(.limitSessions) { .int($0.stats.sessionLimit ?? 0) },
        .value(.sessionsTotal) { .int($0.stats.sessionsTotal) },
        .value(.bytesInTotal) { .uint($0.stats.bytesIn) },
        .value(.bytesOutTotal) { .uint($0.stats.bytesOut) },
        .value(.requestsDeniedTotal) { .int($0.stats.deniedRequests ?? 0) },
        .value(.responsesDeniedTotal) { .int($0.stats.deniedResponses) },
        .value(.connectionErrorsTotal) { .int($0.stats.connectionErrors ?? 0) },
        .value(.responseErrorsTotal) { .int($0.stats.responseErrors ?? 0) },
        .value(.retryWarningsTotal) { .int($0.stats.retries ?? 0) },
        .value(.redispatchWarningsTotal) { .int($0.stats.redispatches ?? 0) },
        .states(.status, frontendStates) { $0.stats.status == "UP" ? 1 : 0 },
        .value(.weight) { .int($0.stats.weight ?? 0) },
        .value(.activeServers) { .int($0.stats.active ?? 0) },
        .value(.backupServers) { .int($0.stats.backup ?? 0) },
        .value(.checkUpDownTotal) { _ in .int(0) },
        .value(.checkLastChangeSeconds) { .int($0.stats.lastChange ?? 0) },
        .value(.downtimeSecondsTotal) { $0.hasServers ? .int($0.stats.downtime ?? 0) : .nan },
        .value(.loadbalancedTotal) { .int($0.stats.loadBalanced ?? 0) },
        .value(.maxSessionRate) { .int(Int($0.stats.sessionRateMax)) },
        .counts(.httpResponsesTotal, responseCodes, label: "code", labelMajor: true) { b, code in
            responses(b.stats, code)
        },
        .value(.httpRequestsTotal) { $0.stats.isHTTP ? .int($0.stats.requestsTotal ?? 0) : nil },
        .value(.clientAbortsTotal) { .int($0.stats.aborts?.client ?? 0) },
        .value(.serverAbortsTotal) { .int($0.stats.aborts?.server ?? 0) },
        .value(.httpCompBytesInTotal) { compression($0.stats) { .uint($0.bytesIn) } },
        .value(.httpCompBytesOutTotal) { compression($0.stats) { .uint($0.bytesOut) } },
        .value(.httpCompBytesBypassedTotal) { httpZero($0.stats) },
        .value(.httpCompResponsesTotal) { compression($0.stats) { .int($0.responses) } },
        .value(.lastSessionSeconds) { .int($0.stats.lastSession ?? -1) },
        .value(.queueTimeAverageSeconds) { .milliseconds($0.stats.times?.queue.value ?? 0) },
        .value(.connectTimeAverageSeconds) { .milliseconds($0.stats.times?.connect.value ?? 0) },
        .value(.responseTimeAverageSeconds) { .milliseconds($0.stats.times?.response.value ?? 0) },
        .value(.totalTimeAverageSeconds) { .milliseconds($0.stats.times?.total.value ?? 0) },
        .value(.failedHeaderRewritingTotal) { _ in .int(0) },
        .value(.connectionAttemptsTotal) { .int($0.stats.connections?.new ?? 0) },
        .value(.connectionReusesTotal) { .int($0.stats.connections?.reused ?? 0) },
        .value(.httpCacheLookupsTotal) { httpZero($0.stats) },
        .value(.httpCacheHitsTotal) { httpZero($0.stats) },
        .value(.maxQueueTimeSeconds) { .milliseconds($0.stats.times?.queueMax ?? 0) },
        .value(.maxConnectTimeSeconds) { .milliseconds($0.stats.times?.connectMax ?? 0) },
        .value(.maxResponseTimeSeconds) { .milliseconds($0.stats.times?.responseMax ?? 0) },
        .value(.maxTotalTimeSeconds) { .milliseconds($0.stats.times?.totalMax ?? 0) },
        .value(.internalErrorsTotal) { _ in .int(0) },
        .value(.uweight) { .int($0.stats.userWeight ?? 0) },
        // 2.6 prints the servers' states twice, under the old name too.
        .counts(.aggServerStatus, PrometheusServerSample.states, label: "state") { b, i in
            b.hasServers ? .int(b.serverStates[i]) : nil
        },
        .counts(.aggServerCheckStatus, PrometheusServerSample.states, label: "state") { b, i in
            b.hasServers ? .int(b.serverStates[i]) : nil
        },
        .counts(.aggCheckStatus, PrometheusServerSample.checkStates, label: "state") { b, i in
            b.hasServers ? .int(b.checkStates[i]) : nil
        },
    ]
}
