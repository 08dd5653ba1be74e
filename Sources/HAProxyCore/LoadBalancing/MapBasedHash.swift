/// `hash-type map-based` for `source`, `uri`, `url_param` and `hdr()`:
/// the server is `table[hash % total weight]` over the eligible servers.
///
/// Static, as the manual says: weights are read when the eligible group
/// changes, and since a server is chosen by its position in the table, most
/// keys move when a server goes up or down. The table is the same as
/// haproxy's, so a key reaches the same server as it would with haproxy.
/// Without a key (`hash == nil`) the table is walked in round robin.
public final class MapBasedHash: LoadBalancingAlgorithm {
    private var map = WeightedMap()
    private var cursor = 0

    public init() {}

    public var isDynamic: Bool { false }

    public func setEligible(_ servers: [LBServer]) {
        map = WeightedMap(servers: servers)
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        guard let hash else { return map.next(cursor: &cursor, avoiding: avoiding) }
        guard map.totalWeight > 0 else { return nil }
        return map[hash]
    }
}
