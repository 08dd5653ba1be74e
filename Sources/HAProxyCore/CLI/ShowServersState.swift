import HAProxyBase
import HAProxyConfig

/// `show servers state [<backend>]` (manual 9.3): the volatile state of
/// each server in the format of `server-state-file`, version 1.
enum ShowServersState {
    static let header = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
        + "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health "
        + "srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord "
        + "srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n"

    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "servers", "state"], usage: "show servers state [<backend>]",
                   help: "dump volatile server information (all or for a single backend)") { request in
            let runtime = request.runtime
            var backends = runtime.backends
            if !request[3].isEmpty {
                guard let backend = runtime.backend(named: request[3]) else {
                    return "Can't find backend.\n"
                }
                backends = [backend]
            }
            let ids = ProxyNumbering.ids(runtime.configuration)
            var out = "1\n" + header
            for backend in backends {
                for server in backend.servers {
                    out += line(server, backend: backend, backendID: ids[backend.name] ?? 0)
                }
            }
            return out
        },
        CLIKeyword(["show", "backend"], usage: "show backend", help: "list backends in the current running config") { request in
            "# name\n" + request.runtime.backends.map { "\($0.name)\n" }.joined()
        },
    ]

    /// Administrative state bits as HAProxy stores them (SRV_ADMF_*).
    static func adminBits(_ state: Server.AdminState) -> Int {
        switch state {
        case .ready: return 0
        case .maintenance: return 0x01
        case .drain: return 0x08
        }
    }

    static func line(_ server: Server, backend: Backend, backendID: Int) -> String {
        backend.lock.withLock {
            let options = server.config.options
            let running = server.isUp && !server.isInMaintenance && !server.inResolutionMaintenance
            // An agent's down stops the server but leaves its check's health (2.6).
            // 3: up but NOLB (`health stopping`), as 2.6 writes it.
            // 1: warming up after coming back (`slowstart`), 2.6's STARTING.
            let opState = running && !server.agentDown
                ? (server.healthStopping ? 3 : server.lb.warmup != nil ? 1 : 2) : 0
            // A tracking server keeps its health when it follows its tracked one down (2.6).
            let health = !(running || server.tracked != nil && !server.isUp) ? 0
                : server.healthFromState ?? (options.check || !server.healthCleared ? options.rise : 0)
            let ip = server.inResolutionMaintenance ? "-" : server.address.ipAddress ?? server.config.host
            let isLiteral = server.fqdn == nil && ip == server.config.host.trimming { $0 == "[" || $0 == "]" }
            // 0x20: maintenance for resolution (RMAINT); 0x40: FQDN set on the CLI (HMAINT).
            // 0x02 and 0x10: maintenance and drain through `track` (IMAINT, IDRAIN).
            let admin = adminBits(server.adminState) | (server.inResolutionMaintenance ? 0x20 : 0)
                | (server.inheritedMaintenance ? 0x02 : 0) | (server.inheritedDrain ? 0x10 : 0)
                | (server.hostnameFlag ? 0x40 : 0)
            var fields: [String] = [
                "\(backendID)", backend.name, "\(server.lb.id)", server.name, ip,
                "\(opState)", "\(admin)", "\(server.lb.userWeight)", "\(server.lb.configuredWeight)",
                "\(ShowStat.seconds(since: server.lastStateChange))",
            ]
            // A checked server waiting for DNS: its check never ran and is
            // paused (2.6: INI, no result, health 0, state 0x0E).
            let pausedCheck = options.check && server.inResolutionMaintenance
            fields += pausedCheck ? ["1", "0", "0", "14"] : [
                options.check ? "\(server.lastCheck?.code.stateFileNumber ?? (server.isUp ? 15 : 8))" : "1",
                options.check ? (server.isUp ? "3" : "2") : "0",
                "\(health)",
                options.check ? "6" : "0",
            ]
            // srv_agent_state: 0x16 (configured, enabled, agent), 0x12 once
            // `disable agent` stopped it (2.6.12 recorded 22).
            fields += [
                options.agentCheck ? (server.agentDisabled ? "18" : "22") : "0",
                backend.config.id != nil ? "1" : "0",
                server.config.id != nil ? "1" : "0",
                server.isService ? server.fqdn ?? "-" : isLiteral ? "-" : server.fqdn ?? server.config.host,
                server.isService ? "\(server.servicePort ?? 0)" : "\(server.address.port ?? server.config.port ?? 0)",
                server.isService ? server.config.host : "-", "0",
                "\(options.checkPort ?? 0)",
                options.checkAddr ?? "-",
                options.agentCheck ? server.agentAddr ?? "-" : "-", options.agentCheck ? "\(server.agentPort)" : "0",
            ]
            return fields.joined(separator: " ") + "\n"
        }
    }
}
