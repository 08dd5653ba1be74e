/// `balance first`: the eligible server with the lowest `id` that has a free
/// connection slot under its `maxconn`. Weights are ignored (beyond 0
/// meaning "no traffic"); a server without `maxconn` takes everything.
/// Returns nil when every server is full, and the runtime queues the request.
public final class First: LoadBalancingAlgorithm {
    private var servers: [LBServer] = []

    public init() {}

    public var isDynamic: Bool { false }

    public func setEligible(_ servers: [LBServer]) {
        self.servers = servers.sorted { ($0.id, $0.index) < ($1.id, $1.index) }
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        var avoided: LBServer?
        for s in servers where s.hasFreeSlot {
            if s === avoiding {
                avoided = s
                continue
            }
            return s
        }
        return avoided
    }
}
