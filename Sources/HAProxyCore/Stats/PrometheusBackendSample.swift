/// A backend as the exporter prints it: its `show stat` snapshot, and its
/// servers counted by state for the `agg_*` metrics.
struct PrometheusBackendSample: PrometheusLabelled {
    let stats: StatSnapshot
    /// Whether it has servers at all: without, no `agg_*` samples.
    let hasServers: Bool
    /// Servers per `PrometheusServerSample.states` index, maintenance
    /// included (also with `no-maint`, as in 2.6).
    private(set) var serverStates = [Int](repeating: 0, count: PrometheusServerSample.states.count)
    /// Servers whose checks run, per index of their last result in
    /// `PrometheusServerSample.checkStates`.
    private(set) var checkStates = [Int](repeating: 0, count: PrometheusServerSample.checkStates.count)

    var proxyLabel: String { stats.proxyName }
    var serverLabel: String? { nil }

    init<Servers: Collection>(_ stats: StatSnapshot, servers: Servers) where Servers.Element == PrometheusServerSample {
        self.stats = stats
        hasServers = !servers.isEmpty
        for server in servers {
            serverStates[server.state] += 1
            if server.checksRun, let check = server.checkState, checkStates.indices.contains(check) {
                checkStates[check] += 1
            }
        }
    }
}
