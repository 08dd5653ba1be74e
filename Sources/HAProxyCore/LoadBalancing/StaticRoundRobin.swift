/// `balance static-rr`: each server in turn according to its weight, from a
/// table computed when the eligible group changes.
///
/// Static: a weight change alone has no effect (the manual), the weights are
/// read again when a server goes up or down. A server coming back is in the
/// table at once. Servers at their `maxconn` are skipped; nil when all are full.
public final class StaticRoundRobin: LoadBalancingAlgorithm {
    private var map = WeightedMap()
    private var cursor = 0

    public init() {}

    public var isDynamic: Bool { false }

    public func setEligible(_ servers: [LBServer]) {
        map = WeightedMap(servers: servers)
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        map.next(cursor: &cursor, avoiding: avoiding)
    }
}
