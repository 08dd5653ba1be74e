import HAProxyConfig

/// The load balancer of one backend: chooses the eligible group (active
/// servers, else backups) and delegates the choice to the configured
/// algorithm.
///
/// Not thread-safe: like the servers it owns, it lives on the backend's
/// event loop. The runtime changes an `LBServer` (`isUsable`, `weight`) and
/// then calls the matching method here.
///
/// Backups (manual: `backup`, `option allbackups`) receive traffic only when
/// no active server is eligible; then only the first eligible backup in
/// declaration order does, or all of them with `allbackups`, balanced by the
/// same algorithm with their weights.
public final class LoadBalancer {
    public let config: BalanceConfig
    public let servers: [LBServer]
    public let allBackups: Bool
    public let algorithm: LoadBalancingAlgorithm
    /// The servers currently receiving traffic.
    public private(set) var eligible: [LBServer] = []
    /// Whether `eligible` is made of backup servers.
    public private(set) var usingBackups = false
    /// `url_param` name bytes, kept to search query strings without allocating.
    private let paramName: [UInt8]

    /// - Parameters:
    ///   - servers: the backend's servers; `servers[i].index` must be `i`.
    ///   - randomSeed: fixes `balance random` draws (tests).
    public init(servers: [LBServer], config: BalanceConfig, allBackups: Bool = false, randomSeed: UInt64? = nil) {
        precondition(servers.enumerated().allSatisfy { $0.offset == $0.element.index }, "LBServer.index must match its position")
        self.servers = servers
        self.config = config
        self.allBackups = allBackups
        switch config.algorithm {
        case .roundRobin: algorithm = RoundRobin(serverCount: servers.count)
        case .staticRoundRobin: algorithm = StaticRoundRobin()
        case .leastConn: algorithm = LeastConn(serverCount: servers.count)
        case .first: algorithm = First()
        case .random(let draws):
            algorithm = RandomDraws(
                draws: draws, seed: randomSeed, balanceFactor: config.hashBalanceFactor, backendServers: servers)
        case .source, .uri, .urlParam, .header:
            algorithm = config.hashType == .mapBased
                ? MapBasedHash() : ConsistentHash(balanceFactor: config.hashBalanceFactor, backendServers: servers)
        }
        if case .urlParam(let name, _) = config.algorithm {
            paramName = Array(name.utf8)
        } else {
            paramName = []
        }
        regroup(force: true)
    }

    /// Whether run-time weight changes other than to and from 0 apply.
    public var isDynamic: Bool { algorithm.isDynamic }

    /// Whether any server may take traffic. When this is true and `pick`
    /// returns nil, every eligible server is at its `maxconn`: queue the
    /// request in the backend rather than fail it.
    public var hasEligibleServers: Bool { !eligible.isEmpty }

    // MARK: Picking

    /// Picks a server for algorithms without a key, or when the key is
    /// absent (hashing algorithms then fall back to round robin).
    @inlinable
    public func pick(avoiding: LBServer? = nil) -> LBServer? {
        algorithm.pick(hash: nil, avoiding: avoiding)
    }

    /// Picks a server from a precomputed hash (nil: no key).
    @inlinable
    public func pick(hash: UInt32?, avoiding: LBServer? = nil) -> LBServer? {
        algorithm.pick(hash: hash, avoiding: avoiding)
    }

    /// Picks a server for the key bytes already extracted for this backend's
    /// algorithm (see `LBKeyExtractor`): the client address for `source`,
    /// the URI part for `uri`, the parameter value for `url_param`, the
    /// header part for `hdr()`. Nil means no key.
    @inlinable
    public func pick(key: UnsafeRawBufferPointer?, avoiding: LBServer? = nil) -> LBServer? {
        guard let key else { return algorithm.pick(hash: nil, avoiding: avoiding) }
        return algorithm.pick(hash: hash(key), avoiding: avoiding)
    }

    public func pick(key: [UInt8], avoiding: LBServer? = nil) -> LBServer? {
        key.withUnsafeBytes { pick(key: $0, avoiding: avoiding) }
    }

    /// The hash of key bytes under this backend's `hash-type`.
    @inlinable
    public func hash(_ key: UnsafeRawBufferPointer) -> UInt32 {
        if case .source = config.algorithm {
            return LBKeyExtractor.sourceHash(key, avalanche: config.avalanche)
        }
        return config.hashFunction.hash(key, avalanche: config.avalanche)
    }

    /// Picks a server from raw request data, extracting the key as the
    /// algorithm requires.
    ///
    /// - Parameters:
    ///   - uri: the request target, for `uri` and `url_param`.
    ///   - headerValue: the value of the `hdr(name)` header, if present.
    ///   - sourceAddress: the client address bytes (4 or 16), for `source`.
    public func pick(
        uri: UnsafeRawBufferPointer? = nil,
        headerValue: UnsafeRawBufferPointer? = nil,
        sourceAddress: UnsafeRawBufferPointer? = nil,
        avoiding: LBServer? = nil
    ) -> LBServer? {
        var range: Range<Int>?
        var bytes: UnsafeRawBufferPointer?
        switch config.algorithm {
        case .source:
            bytes = sourceAddress
            range = sourceAddress.map { 0..<$0.count }
        case .uri(let whole, let length, let depth, let pathOnly):
            bytes = uri
            range = uri.map { LBKeyExtractor.uri($0, whole: whole, length: length, depth: depth, pathOnly: pathOnly) }
        case .urlParam:
            bytes = uri
            if let uri {
                range = paramName.withUnsafeBytes { LBKeyExtractor.urlParam(uri, name: $0) }
            }
        case .header(_, let useDomainOnly):
            bytes = headerValue
            range = headerValue.flatMap { LBKeyExtractor.header($0, useDomainOnly: useDomainOnly) }
        default:
            return algorithm.pick(hash: nil, avoiding: avoiding)
        }
        guard let bytes, let range else { return algorithm.pick(hash: nil, avoiding: avoiding) }
        return pick(key: UnsafeRawBufferPointer(rebasing: bytes[range]), avoiding: avoiding)
    }

    // MARK: Run-time changes

    /// Call after changing `server.isUsable`.
    public func serverStateChanged(_ server: LBServer) {
        regroup(force: false)
    }

    /// Call after changing `server.weight`. Static algorithms only notice a
    /// change to or from 0 at once; other weights apply at the next state change.
    public func weightChanged(_ server: LBServer) {
        if regroup(force: false) { return }
        if algorithm.isDynamic, server.isEligible, eligible.contains(where: { $0 === server }) {
            algorithm.weightChanged(server)
        }
    }

    public func connectionStarted(_ server: LBServer) {
        server.activeConnections += 1
        algorithm.loadChanged(server)
    }

    public func connectionEnded(_ server: LBServer) {
        server.activeConnections = max(0, server.activeConnections - 1)
        algorithm.loadChanged(server)
    }

    /// Sets the number of requests waiting in the server's own queue.
    public func queueChanged(_ server: LBServer, queued: Int) {
        server.queuedConnections = max(0, queued)
        algorithm.loadChanged(server)
    }

    /// Recomputes the eligible group; tells the algorithm if it changed.
    /// Returns whether it did.
    @discardableResult
    private func regroup(force: Bool) -> Bool {
        var group = servers.filter { !$0.isBackup && $0.isEligible }
        var backups = false
        if group.isEmpty {
            backups = true
            if allBackups {
                group = servers.filter { $0.isBackup && $0.isEligible }
            } else if let first = servers.first(where: { $0.isBackup && $0.isEligible }) {
                group = [first]
            }
        }
        let changed = force || group.count != eligible.count || zip(group, eligible).contains { $0 !== $1 }
        usingBackups = backups && !group.isEmpty
        guard changed else { return false }
        eligible = group
        algorithm.setEligible(group)
        return true
    }
}
