/// `balance leastconn`: the server with the lowest load relative to its
/// weight, round robin among servers of equal load. Dynamic.
///
/// A server's rank is the load it would have once given this connection,
/// `(connections + queued + 1) / weight`, and 0 when it is idle, so idle
/// servers come first and heavier servers take proportionally more
/// connections. Ties go to the server whose load changed least recently,
/// which rotates servers of equal load. Servers at their `maxconn` are
/// skipped; nil when all are full.
public final class LeastConn: LoadBalancingAlgorithm {
    private var servers: [LBServer] = []
    /// When each server's load last changed (or it joined), by `LBServer.index`.
    private var stamp: [UInt64]
    private var member: [Bool]
    private var clock: UInt64 = 0

    public init(serverCount: Int) {
        stamp = Array(repeating: 0, count: serverCount)
        member = Array(repeating: false, count: serverCount)
    }

    public var isDynamic: Bool { true }

    public func setEligible(_ servers: [LBServer]) {
        var newMember = Array(repeating: false, count: member.count)
        for s in servers {
            newMember[s.index] = true
            if !member[s.index] { touch(s) }
        }
        member = newMember
        self.servers = servers
    }

    public func weightChanged(_ server: LBServer) { touch(server) }

    public func loadChanged(_ server: LBServer) { touch(server) }

    private func touch(_ server: LBServer) {
        clock &+= 1
        stamp[server.index] = clock
    }

    /// True if `a` should be preferred over `b`.
    @inline(__always)
    private func better(_ a: LBServer, than b: LBServer) -> Bool {
        let la = a.load, lb = b.load
        if la == 0 || lb == 0 {
            if la != lb { return la == 0 }
        } else {
            let ka = (la + 1) * b.weight, kb = (lb + 1) * a.weight
            if ka != kb { return ka < kb }
        }
        return stamp[a.index] < stamp[b.index]
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        var best: LBServer?
        var avoided: LBServer?
        for s in servers where s.hasFreeSlot {
            if s === avoiding {
                avoided = s
                continue
            }
            if let b = best {
                if better(s, than: b) { best = s }
            } else {
                best = s
            }
        }
        return best ?? avoided
    }
}
