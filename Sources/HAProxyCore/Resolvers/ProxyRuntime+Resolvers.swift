import HAProxyBase
import HAProxyConfig
import NIOCore

/// Servers kept resolved by `resolvers` sections: their first address
/// (`init-addr`), the sections' runtimes, and their start and stop.
extension ProxyRuntime {
    /// What `init-addr` gave a server with `resolvers`: an address, or
    /// none (the server starts in maintenance until DNS answers).
    enum InitialAddress {
        case address(SocketAddress)
        case unresolved
    }

    /// Whether the server's host is an IP literal (no resolution then).
    static func hasLiteralHost(_ server: ServerConfig) -> Bool {
        var host = server.host
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return server.isUnixSocket || (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// The methods of `init-addr` in order (2.6's default is `last,libc`).
    /// - Parameter last: the server's `srv_addr` in its state file, if any.
    static func initialAddress(
        _ server: ServerConfig, proxy: ProxyConfig, last: () -> String?, errors: inout [RuntimeError],
        warnings: inout [String]
    ) -> InitialAddress {
        let port = server.port ?? 0
        // An SRV name has no address of its own: its servers wait for the records.
        if server.host.hasPrefix("_") { return .unresolved }
        let methods = server.options.initAddr ?? [.last, .libc]
        for method in methods {
            switch method {
            case .last:
                if let ip = last(), let address = try? SocketAddress(ipAddress: ip, port: port) { return .address(address) }
            case .libc:
                if let address = try? resolve(server) { return .address(address) }
            case .address(let ip):
                if let address = try? SocketAddress(ipAddress: ip, port: port) { return .address(address) }
            case .none:
                return .unresolved
            }
        }
        if server.options.initAddr == nil {
            warnings.append(
                "[\(server.location)] : 'server \(proxy.name)/\(server.name)' : could not resolve address '\(server.host)', disabling server.")
            return .unresolved
        }
        let reason = methods.contains(.libc) ? "could not resolve address" : "no method found to resolve address"
        errors.append(RuntimeError(
            "'server \(proxy.name)/\(server.name)' : \(reason) '\(server.host)\(initAddrFailure)",
            location: server.location, bracketed: true))
        return .unresolved
    }

    /// `srv_addr` of each server in the state file a backend loads
    /// (`load-server-state-from-file`), for `init-addr last`; files are
    /// read once and their problems left to `loadServerState` to report.
    final class LastAddresses {
        private var files: [String: ServerStateFile?] = [:]
        let global: GlobalConfig

        init(global: GlobalConfig) { self.global = global }

        func address(of server: String, in proxy: ProxyConfig) -> String? {
            let path: String?
            switch proxy.loadServerState {
            case .global: path = ServerStateFile.globalPath(global)
            case .local: path = ServerStateFile.localPath(proxy, global: global)
            default: path = nil
            }
            guard let path else { return nil }
            if files[path] == nil {
                let loaded = ServerStateFile.load(path: path) { _ in "" }
                if case .success(let file) = loaded { files[path] = .some(file) } else { files[path] = .some(nil) }
            }
            guard let file = files[path] ?? nil,
                let entry = file.firstEntries.first(where: { $0.backendName == proxy.name && $0.serverName == server }),
                entry.fields.count > 4, entry.fields[4] != "-"
            else { return nil }
            return entry.fields[4]
        }
    }

    /// A server-template slot of an SRV name takes back the record a server
    /// state file saved for it (`srv_fqdn`, `srv_port` and `srv_addr`, when
    /// `srvrecord` is its SRV name), as 2.6 does at a reload: it serves at
    /// once, and the next answers keep or move it as any record it holds.
    func restoreServiceRecord(_ entry: ServerStateFile.Entry, to server: Server, in backend: Backend) {
        let f = entry.fields
        guard server.isService, f.count > 19, f[19] == server.config.host, f[17] != "-",
            let port = Int(f[18]), (1...65535).contains(port),
            let address = try? SocketAddress(ipAddress: f[4], port: port)
        else { return }
        backend.lock.withLock {
            server.fqdn = f[17]
            server.servicePort = port
            server.address = address
        }
        server.checker?.serverAddressChanged(address)
        server.agent?.serverAddressChanged(address)
        backend.setState(server, resolution: false)
    }

    /// How an `init-addr` failure ends (which also tells it apart).
    static let initAddrFailure = "'."


    /// One runtime per `resolvers` section; every server naming one with a
    /// host name joins the group resolving that name.
    func buildResolvers() -> [ResolversRuntime] {
        var configs = configuration.resolvers
        if !configs.contains(where: { $0.name == "default" }),
            let implicit = ResolversConfig.implicitDefault(resolvConf: SystemFile.text(atPath: "/etc/resolv.conf") ?? "")
        {
            configs.append(implicit)
        }
        let sections = configs.map { ResolversRuntime(config: $0) }
        for backend in backends {
            for server in backend.servers {
                guard let name = server.config.options.resolvers, !Self.hasLiteralHost(server.config),
                    let section = sections.first(where: { $0.config.name == name })
                else { continue }
                if !server.isService { backend.lock.withLock { server.fqdn = server.config.host } }
                section.register(server, name: server.config.host)
            }
        }
        for section in sections {
            section.report = { [weak self] text, level, backend in
                guard let self else { return }
                self.onMessage(.warning, text)
                switch level {
                case .notice?: self.logger?.logOperational(.notice, text, proxy: backend.name)
                case .alert?: self.logger?.logOperational(.alert, text, proxy: backend.name)
                case nil: break
                }
            }
        }
        return sections
    }

    func startResolvers() {
        let loop = group.next()
        for section in resolvers where !section.groups.isEmpty { section.start(on: loop) }
    }

    func stopResolvers() {
        for section in resolvers { section.stop() }
    }
}
