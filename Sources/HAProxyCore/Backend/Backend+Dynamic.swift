import HAProxyConfig
import NIOCore

/// Servers added and removed at run time (`add server` / `del server`).
///
/// The load balancer addresses servers by position (`LBServer.index`, a
/// `let`), so positions never move: a new server takes a new slot at the end
/// of `slots` and the load balancer is rebuilt over all slots; a deleted
/// server keeps its slot (in maintenance, hence never eligible) but leaves
/// `servers`, so lookups, `show stat` and `show servers state` no longer see
/// it and its name can be used again. A deleted slot costs one `LBServer`.
extension Backend {
    enum DynamicServerError: Error, Equatable {
        case staticAlgorithm
        case nameTaken
        case notInMaintenance
        case hasConnections
        case noSuchServer
        /// Other servers track it (`track`).
        case tracked

        /// As the real one answers on the CLI.
        var message: String {
            switch self {
            case .staticAlgorithm: return "Backend must use a dynamic load balancing to support dynamic servers.\n"
            case .nameTaken: return "Already exists a server with the same name in backend.\n"
            case .notInMaintenance: return "Only servers in maintenance mode can be deleted.\n"
            case .hasConnections: return "Server still has connections attached to it, cannot remove it.\n"
            case .noSuchServer: return "No such server.\n"
            case .tracked: return "This server cannot be removed at runtime due to other configuration elements pointing to it.\n"
            }
        }
    }

    /// Whether `add server` is allowed: roundrobin, leastconn, first, random.
    var supportsDynamicServers: Bool {
        switch config.balance.algorithm {
        case .roundRobin, .leastConn, .first, .random: return true
        default: return false
        }
    }

    /// Attaches a new server (its admin state follows `config.options.disabled`).
    /// Its id is its slot + 1 unless another server already has that id, in
    /// which case the smallest free id is forced.
    @discardableResult
    func addServer(_ config: ServerConfig, address: SocketAddress) throws -> Server {
        guard supportsDynamicServers else { throw DynamicServerError.staticAlgorithm }
        return try lock.withLock {
            guard !servers.contains(where: { $0.name == config.name }) else { throw DynamicServerError.nameTaken }
            var config = config
            let index = slots.count
            let used = Set(servers.map(\.lb.id))
            if let id = config.id {
                guard !used.contains(id) else { throw DynamicServerError.nameTaken }
            } else if used.contains(index + 1) {
                config.id = (1...).first { !used.contains($0) }
            }
            let server = Server(config: config, index: index, address: address, backend: self)
            slots.append(server)
            servers.append(server)
            loadBalancer = LoadBalancer(
                servers: slots.map(\.lb), config: self.config.balance, allBackups: self.config.options.allBackups)
            return server
        }
    }

    /// Detaches a server in maintenance with no connection left that no
    /// other server tracks; a tracking server leaves its tracked server's list.
    func deleteServer(named name: String) throws {
        let server: Server = try lock.withLock {
            guard let i = servers.firstIndex(where: { $0.name == name }) else { throw DynamicServerError.noSuchServer }
            let server = servers[i]
            guard !server.isTrackedInConfiguration else { throw DynamicServerError.tracked }
            guard server.adminState == .maintenance else { throw DynamicServerError.notInMaintenance }
            guard server.currentConnections == 0, server.queue.isEmpty else { throw DynamicServerError.hasConnections }
            servers.remove(at: i)
            server.lb.isUsable = false
            loadBalancer.serverStateChanged(server.lb)
            return server
        }
        server.checker?.stop()
        server.checker = nil
        server.idlePool.closeAll()
        if let tracked = server.tracked {
            tracked.backend.lock.withLock { tracked.trackers.removeAll { $0 === server } }
        }
    }
}
