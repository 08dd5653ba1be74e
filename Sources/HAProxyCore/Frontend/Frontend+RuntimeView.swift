#if canImport(Glibc)
import Glibc
#endif
import HAProxyHTTP
import HAProxyObservability
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
        } else {
            backend = self.backend(at: current?.index)
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

    public var isStopping: Bool { runtime?.isStopping ?? false }

    public func frontendRates(named name: String?) -> FrontendRates? {
        guard let name, name != self.name else { return rates }
        return runtime?.frontends.first { $0.name == name }?.rates
    }

    public func nextRequestID() -> Int { requestCounter?.next() ?? 0 }

    /// Renders a variable as this frontend's log line would, from what
    /// the stream knows now: a rule's format or `unique-id-format`. Rare
    /// (formats with such variables), so the record is built each time.
    public func appendLogVariable(
        _ name: String, options: [String], snapshot: HTTPLogSnapshot, into out: inout [UInt8]
    ) {
        let backend = self.backend(at: snapshot.backendIndex)
        let server = snapshot.serverName.flatMap { backend?.server(named: $0) }
        var record = snapshot.log.record(
            frontend: self, backend: backend, server: server, client: snapshot.client, local: snapshot.local,
            requestLine: snapshot.log.requestLine, isHTTP: config.mode == .http)
        // Before the switch to a backend, the stream's backend is its frontend.
        if record.backendName == nil { record.backendName = self.name }
        if snapshot.log.requestSent == nil {
            // 2.6 (recorded): the request's time and size are known once it went on.
            record.TR = -1
            record.bytesUploaded = 0
        }
        var renderer = LogFormatRenderer(
            pid: runtime?.logger?.pid ?? Int(getpid()), hostname: runtime?.logger?.hostname ?? "")
        var value: [UInt8] = []
        renderer.render(variableNamed: name, options: options, record, into: &value)
        // What the log line writes `-` for, and the port of an address not
        // known yet, is empty outside it (2.6, recorded).
        if value == [UInt8(ascii: "-")] { return }
        if name == "sp" && record.serverAddress == .none || name == "bp" && record.backendSourceAddress == .none { return }
        out += value
    }

    public func backendPolicy(named name: String) -> HTTPBackendPolicy? {
        runtime?.backendsByName[name]?.httpPolicy
    }
}
