/// One load-balancing algorithm over the servers currently eligible for
/// traffic (haproxy's `struct lbprm` callbacks: one implementation per file).
///
/// The `LoadBalancer` facade decides which servers are eligible (the usable
/// active servers, or the backups when none is left) and hands that group to
/// the algorithm. Algorithms keep per-server state in arrays indexed by
/// `LBServer.index` and never allocate in `pick`.
public protocol LoadBalancingAlgorithm: AnyObject {
    /// Whether weight changes take effect without a state change. Static
    /// algorithms (static-rr, map-based hashing, first) read weights only
    /// when the eligible group is rebuilt.
    var isDynamic: Bool { get }

    /// Replaces the group of eligible servers, in declaration order.
    func setEligible(_ servers: [LBServer])

    /// The weight of a server in the eligible group changed (still > 0).
    func weightChanged(_ server: LBServer)

    /// The connection or queue count of a server changed.
    func loadChanged(_ server: LBServer)

    /// Chooses a server.
    ///
    /// - Parameters:
    ///   - hash: the 32-bit hash of the request's key for hashing algorithms,
    ///     nil when the algorithm uses no key or the key was not found (the
    ///     algorithm then falls back to round robin, as the manual says).
    ///   - avoiding: a server to skip if another one is available (redispatch).
    func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer?
}

extension LoadBalancingAlgorithm {
    public func weightChanged(_ server: LBServer) {}
    public func loadChanged(_ server: LBServer) {}
}
