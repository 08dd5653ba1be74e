import HAProxyHTTP
import HAProxyRules

/// What rules read of the live proxies (`nbsrv`, `be_conn`, `queue`,
/// `connslots`, `srv_is_up`, `fe_conn`) and how a dynamic `use_backend`
/// name finds its backend.
extension Frontend: HTTPRuntimeView {
    public func backendState(named name: String?, current: HTTPBackendPolicy?) -> BackendState? {
        guard let runtime else { return nil }
        let backend: Backend?
        if let name {
            backend = runtime.backendsByName[name]
        } else if let current, current.index < runtime.backends.count {
            backend = runtime.backends[current.index]
        } else {
            backend = nil
        }
        guard let backend else { return nil }
        return backend.lock.withLock {
            var usable = 0, queued = backend.queuedCountLocked, free = 0, unlimited = false
            for server in backend.servers where server.isUsable {
                usable += 1
                queued += server.queue.count
                let maxconn = server.config.options.maxconn, maxqueue = server.config.options.maxqueue
                if maxconn > 0 {
                    free += max(0, maxconn - server.currentConnections)
                    if maxqueue > 0 { free += max(0, maxqueue - server.queue.count) }
                } else {
                    unlimited = true
                }
            }
            return BackendState(
                usableServers: usable, connections: backend.currentStreams, queued: queued,
                freeSlots: unlimited ? nil : free)
        }
    }

    public func serverIsUp(backend: String, server: String) -> Bool? {
        guard let b = runtime?.backendsByName[backend], let s = b.server(named: server) else {
            return nil
        }
        return b.lock.withLock { s.isUsable }
    }

    public var frontendConnections: Int { currentConnectionCount }

    public func backendPolicy(named name: String) -> HTTPBackendPolicy? {
        runtime?.backendsByName[name]?.httpPolicy
    }
}
