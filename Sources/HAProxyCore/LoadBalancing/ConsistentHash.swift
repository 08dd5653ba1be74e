import HAProxyConfig

/// `hash-type consistent`: a ring of points, `16 × weight` per server; a
/// hash goes to the server owning the closest point on either side.
///
/// A server's points depend only on its `hashKey`, its id (point `n` sits
/// at `avalanche(id × 4096 + n)`), so removing a server moves only the keys
/// that were on its points, adding one takes keys only for itself, and two
/// load balancers with the same ids agree. Dynamic: a weight change adds or
/// removes that server's points. Without a key, the ring is walked point by
/// point, which spreads requests by weight.
///
/// With `hash-balance-factor` (bounded loads), a server already holding its
/// share of the backend's connections is passed over for the next one
/// clockwise that has room (see `hasRoom`).
///
/// Lookups are a binary search over a sorted array, without allocation.
public final class ConsistentHash: LoadBalancingAlgorithm {
    /// Points per unit of weight.
    public static let pointsPerWeight = 16
    /// Spacing between two servers' point numbering: 256 × 16.
    static let idSpacing: UInt32 = 4096

    private var servers: [LBServer] = []
    private var keys: [UInt32] = []
    private var owners: [LBServer] = []
    private var cursor = 0
    /// `hash-balance-factor`; 0 for no bound.
    let balanceFactor: Int
    /// Every server of the backend: the bound shares out the connections
    /// of them all.
    private let backendServers: [LBServer]
    /// For each point, its owner's position in `servers`.
    private var ownerPositions: [Int] = []
    /// The weight of the servers before each one in `servers`, and of all.
    private var weightsBefore: [Int] = []
    private var totalWeight = 0

    /// - Parameters:
    ///   - balanceFactor: `hash-balance-factor` (0: unbounded).
    ///   - backendServers: the backend's servers, for the bound's total.
    public init(balanceFactor: Int = 0, backendServers: [LBServer] = []) {
        self.balanceFactor = balanceFactor
        self.backendServers = backendServers
    }

    public var isDynamic: Bool { true }

    public func setEligible(_ servers: [LBServer]) {
        self.servers = servers
        rebuild()
    }

    public func weightChanged(_ server: LBServer) { rebuild() }

    /// The point keys of a server of weight `weight`.
    static func pointKeys(hashKey: UInt32, weight: Int) -> [UInt32] {
        let base = hashKey &* idSpacing
        return (0..<(weight * pointsPerWeight)).map {
            HashFunction.avalanche(base &+ UInt32($0))
        }
    }

    private func rebuild() {
        var points: [(key: UInt32, order: Int, server: LBServer)] = []
        points.reserveCapacity(servers.reduce(0) { $0 + $1.weight * Self.pointsPerWeight })
        for (order, s) in servers.enumerated() {
            for key in Self.pointKeys(hashKey: s.hashKey, weight: s.weight) {
                points.append((key, order, s))
            }
        }
        points.sort { ($0.key, $0.order) < ($1.key, $1.order) }
        keys = points.map(\.key)
        owners = points.map(\.server)
        ownerPositions = points.map(\.order)
        weightsBefore = []
        totalWeight = 0
        for s in servers {
            weightsBefore.append(totalWeight)
            totalWeight += s.weight
        }
        if cursor >= keys.count { cursor = 0 }
    }

    /// Bounded loads: the backend's connections plus the new one, times
    /// the factor (a percentage, rounded up), make the slots; each server
    /// gets its weight's share of them, the slots left over after the
    /// whole shares going to the servers in declaration order by weight;
    /// a server always gets at least one. It has room while it serves
    /// fewer connections than its share.
    private func hasRoom(_ position: Int, backendConnections: Int) -> Bool {
        guard totalWeight > 0 else { return true }
        let server = servers[position]
        let slots = ((backendConnections + 1) * balanceFactor + 99) / 100
        let perWeight = slots / totalWeight, leftover = slots % totalWeight
        let before = weightsBefore[position], weight = server.weight
        var share = weight * perWeight + (before + weight) * leftover / totalWeight - before * leftover / totalWeight
        if share == 0 { share = 1 }
        return server.activeConnections < share
    }

    public func pick(hash: UInt32?, avoiding: LBServer?) -> LBServer? {
        guard !keys.isEmpty else { return nil }
        if servers.count == 1 { return servers[0] }
        guard let hash else { return nextInRing(avoiding: avoiding) }
        return lookup(hash, avoiding: avoiding)
    }

    /// The server owning the point closest to `hash`; the preceding point
    /// wins at equal distance. With `avoiding`, the next distinct server
    /// clockwise is taken instead.
    public func lookup(_ hash: UInt32, avoiding: LBServer? = nil) -> LBServer? {
        let count = keys.count
        guard count > 0 else { return nil }
        // First point with key >= hash, wrapping to the first point.
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < hash { lo = mid + 1 } else { hi = mid }
        }
        let next = lo == count ? 0 : lo
        let prev = next == 0 ? count - 1 : next - 1
        var chosen = next
        if owners[next] !== owners[prev] {
            let distPrev = hash &- keys[prev]
            let distNext = keys[next] &- hash
            if distPrev <= distNext { chosen = prev }
        }
        if balanceFactor > 0 {
            let connections = backendServers.reduce(0) { $0 + $1.activeConnections }
            var i = chosen
            for _ in 0..<count {
                if owners[i] !== avoiding, hasRoom(ownerPositions[i], backendConnections: connections) {
                    return owners[i]
                }
                i += 1
                if i == count { i = 0 }
            }
        }
        guard let avoiding, owners[chosen] === avoiding else { return owners[chosen] }
        var i = chosen
        for _ in 0..<count {
            i += 1
            if i == count { i = 0 }
            if owners[i] !== avoiding { return owners[i] }
        }
        return avoiding
    }

    private func nextInRing(avoiding: LBServer?) -> LBServer? {
        let count = keys.count
        for _ in 0..<count {
            let s = owners[cursor]
            cursor += 1
            if cursor == count { cursor = 0 }
            if s !== avoiding { return s }
        }
        return avoiding
    }
}
