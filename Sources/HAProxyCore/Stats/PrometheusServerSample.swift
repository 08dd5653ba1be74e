/// A server as the exporter prints it: its `show stat` snapshot, and the
/// states its `status` and `check_status` samples show.
struct PrometheusServerSample: PrometheusLabelled {
    /// Values of the `state` label of `haproxy_server_status` and of the
    /// backends' `agg_server_status`, in 2.6's order.
    static let states = ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"]
    static let down = 0, up = 1, maintenance = 2, drain = 3, noLoadBalancing = 4

    /// Values of the `state` label of `haproxy_server_check_status` and of
    /// the backends' `agg_check_status`, in 2.6's order (the states of
    /// agent and external checks included).
    static let checkStates = [
        "HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP",
        "L7TOUT", "L7RSP", "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK",
    ]

    let stats: StatSnapshot
    /// Index in `states`.
    let state: Int
    /// Whether its health checks run: it has `check` and is not in
    /// maintenance (which pauses them). Only such servers print
    /// `check_status`, `check_code` and `check_duration_seconds`.
    let checksRun: Bool
    /// Index in `checkStates` of the last check's result, if any yet.
    let checkState: Int?

    var proxyLabel: String { stats.proxyName }
    var serverLabel: String? { stats.serviceName }
    var isMaintenance: Bool { state == Self.maintenance }

    init(_ stats: StatSnapshot) {
        self.stats = stats
        state = Self.state(ofStatus: stats.status)
        checksRun = stats.check != nil && state != Self.maintenance
        checkState = stats.lastCheck.map { Self.checkStates.firstIndex(of: $0.code.rawValue) ?? -1 }
    }

    /// The state of a `show stat` status: `no check` is UP, and the
    /// transitional `UP 1/3` and `DOWN 1/2` count as UP and DOWN.
    static func state(ofStatus status: String) -> Int {
        if status.hasPrefix("MAINT") { return maintenance }
        if status.hasPrefix("DRAIN") { return drain }
        if status.hasPrefix("NOLB") { return noLoadBalancing }
        if status.hasPrefix("DOWN") { return down }
        return up
    }

    /// The layer 7 code of the last check (an HTTP status), 0 for the
    /// results without one.
    var checkCode: Int {
        guard let check = stats.lastCheck, check.code.carriesCode else { return 0 }
        return check.statusCode
    }
}
