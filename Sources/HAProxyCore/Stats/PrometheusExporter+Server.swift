/// The `server` scope: one sample per server for each metric, from its
/// `show stat` snapshot. NaN where `show stat` leaves the column empty (no
/// `maxconn`, no `maxqueue`, no checks).
extension PrometheusExporter {
    static let serverMetrics: [PrometheusMetric<PrometheusServerSample>] = [
        .value(.currentQueue) { .int($0.stats.queueCurrent ?? 0) },
        .value(.maxQueue) { .int($0.stats.queueMax ?? 0) },
        .value(.currentSessions) { .int($0.stats.sessionsCurrent) },
        .value(.maxSessions) { .int($0.stats.sessionsMax) },
        .value(.limitSessions) { $0.stats.sessionLimit.map { .int($0) } ?? .nan },
        .value(.sessionsTotal) { .int($0.stats.sessionsTotal) },
        .value(.bytesInTotal) { .uint($0.stats.bytesIn) },
        .value(.bytesOutTotal) { .uint($0.stats.bytesOut) },
        .value(.responsesDeniedTotal) { .int($0.stats.deniedResponses) },
        .value(.connectionErrorsTotal) { .int($0.stats.connectionErrors ?? 0) },
        .value(.responseErrorsTotal) { .int($0.stats.responseErrors ?? 0) },
        .value(.retryWarningsTotal) { .int($0.stats.retries ?? 0) },
        .value(.redispatchWarningsTotal) { .int($0.stats.redispatches ?? 0) },
        .states(.status, PrometheusServerSample.states) { $0.state },
        .value(.weight) { .int($0.stats.weight ?? 0) },
        .value(.checkFailuresTotal) { $0.stats.check == nil ? .nan : .int($0.stats.failedChecks) },
        .value(.checkUpDownTotal) { $0.stats.check.map { .int($0.downTransitions) } ?? .nan },
        .value(.checkLastChangeSeconds) { .int($0.stats.lastChange ?? 0) },
        .value(.downtimeSecondsTotal) { $0.stats.check == nil ? .nan : .int($0.stats.downtime ?? 0) },
        .value(.queueLimit) { $0.stats.queueLimit.map { .int($0) } ?? .nan },
        // Only a server warming up (`slowstart`) is throttled.
        .value(.currentThrottle) { $0.stats.throttle.map { .int($0) } ?? .nan },
        .value(.loadbalancedTotal) { .int($0.stats.loadBalanced ?? 0) },
        .value(.maxSessionRate) { .int(Int($0.stats.sessionRateMax)) },
        .states(.checkStatus, PrometheusServerSample.checkStates) { $0.checksRun ? $0.checkState ?? -1 : nil },
        .value(.checkCode) { $0.checksRun ? .int($0.checkCode) : nil },
        .value(.checkDurationSeconds) { s in
            guard s.checksRun, let check = s.stats.lastCheck else { return nil }
            return .milliseconds(check.durationMs)
        },
        .counts(.httpResponsesTotal, responseCodes, label: "code", labelMajor: true) { s, code in
            responses(s.stats, code)
        },
        .value(.clientAbortsTotal) { .int($0.stats.aborts?.client ?? 0) },
        .value(.serverAbortsTotal) { .int($0.stats.aborts?.server ?? 0) },
        .value(.lastSessionSeconds) { .int($0.stats.lastSession ?? -1) },
        .value(.queueTimeAverageSeconds) { .milliseconds($0.stats.times?.queue.value ?? 0) },
        .value(.connectTimeAverageSeconds) { .milliseconds($0.stats.times?.connect.value ?? 0) },
        .value(.responseTimeAverageSeconds) { .milliseconds($0.stats.times?.response.value ?? 0) },
        .value(.totalTimeAverageSeconds) { .milliseconds($0.stats.times?.total.value ?? 0) },
        .value(.failedHeaderRewritingTotal) { _ in .int(0) },
        .value(.connectionAttemptsTotal) { .int($0.stats.connections?.new ?? 0) },
        .value(.connectionReusesTotal) { .int($0.stats.connections?.reused ?? 0) },
        .value(.idleConnectionsCurrent) { .int($0.stats.serverConnections.map { $0.unsafe + $0.safe } ?? 0) },
        // Without `pool-max-conn` (-1), 2.6 prints NaN.
        .value(.idleConnectionsLimit) { $0.stats.idleLimit.map { .int($0) } ?? .nan },
        .value(.maxQueueTimeSeconds) { .milliseconds($0.stats.times?.queueMax ?? 0) },
        .value(.maxConnectTimeSeconds) { .milliseconds($0.stats.times?.connectMax ?? 0) },
        .value(.maxResponseTimeSeconds) { .milliseconds($0.stats.times?.responseMax ?? 0) },
        .value(.maxTotalTimeSeconds) { .milliseconds($0.stats.times?.totalMax ?? 0) },
        .value(.internalErrorsTotal) { _ in .int(0) },
        .value(.unsafeIdleConnectionsCurrent) { .int($0.stats.serverConnections?.unsafe ?? 0) },
        .value(.safeIdleConnectionsCurrent) { .int($0.stats.serverConnections?.safe ?? 0) },
        .value(.usedConnectionsCurrent) { .int($0.stats.serverConnections?.used ?? 0) },
        .value(.needConnectionsCurrent) { .int($0.stats.serverConnections?.needed ?? 0) },
        .value(.uweight) { .int($0.stats.userWeight ?? 0) },
    ]
}
