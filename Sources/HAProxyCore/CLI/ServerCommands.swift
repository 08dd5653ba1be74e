import HAProxyConfig
import NIOCore

/// Commands on one server (manual 9.3): `enable|disable server`,
/// `set server ... state|weight|addr|health`, `set weight`, `get weight`,
/// `set maxconn server`, `shutdown sessions server`, `add|del server`.
enum ServerCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["disable", "server"], usage: "disable server (DEPRECATED)",
                   help: "disable a server for maintenance (use 'set server' instead)", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            backend.setState(server, admin: .maintenance)
            request.runtime.propagateTrackedAdmin(from: server)
            return ""
        },
        CLIKeyword(["enable", "server"], usage: "enable server  (DEPRECATED)",
                   help: "enable a disabled server (use 'set server' instead)", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            backend.setState(server, admin: .ready)
            request.runtime.propagateTrackedAdmin(from: server)
            return ""
        },
        CLIKeyword(["set", "server"], usage: "set server <bk>/<srv> [opts]",
                   help: "change a server's state, weight, address or ssl", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            return setServer(&request, backend, server)
        },
        CLIKeyword(["set", "weight"], usage: "set weight <bk>/<srv>  (DEPRECATED)",
                   help: "change a server's weight (use 'set server' instead)", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            return setWeight(&request, backend, server, request[3])
        },
        CLIKeyword(["get", "weight"], usage: "get weight <bk>/<srv>", help: "report a server's current weight") { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            let (current, initial) = backend.lock.withLock { (server.lb.userWeight, server.lb.configuredWeight) }
            return "\(current) (initial \(initial))\n"
        },
        CLIKeyword(["set", "maxconn", "server"], usage: "set maxconn server <bk>/<srv>",
                   help: "change a server's maxconn setting", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[3], request) else { return findError(request[3], request) }
            guard !request[4].isEmpty, let value = Int(request[4]), value >= 0 else { return "Require <maxconn>.\n" }
            backend.lock.withLock { server.lb.userMaxConnections = value }
            backend.redistributeQueue()
            return ""
        },
        CLIKeyword(["shutdown", "sessions", "server"], usage: "shutdown sessions server <bk>/<srv>",
                   help: "kill sessions on a server", level: .admin) { request in
            guard case .success(let (_, server)) = find(request[3], request) else { return findError(request[3], request) }
            request.runtime.streams.shutdown { $0.server === server }
            return ""
        },
        CLIKeyword(["add", "server"], usage: "add server <bk>/<srv>", help: "create a new server", level: .admin) { request in
            addServer(&request)
        },
        CLIKeyword(["del", "server"], usage: "del server <bk>/<srv>", help: "remove a dynamically added server",
                   level: .admin) { request in
            request.omitsEmptyLine = true
            let target = request[2]
            guard target.contains("/") else { return CLIMessage.requireBackendServer }
            let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let backend = request.runtime.backend(named: parts[0]) else { return CLIMessage.noSuchBackend }
            do {
                try backend.deleteServer(named: parts[1])
            } catch let error as Backend.DynamicServerError {
                return error.message
            } catch {
                return "\(error)\n"
            }
            return "Server deleted.\n"
        },
    ]

    enum Lookup {
        case success((Backend, Server))
        case failure
    }

    /// Finds `backend/server`.
    static func find(_ target: String, _ request: CLIRequest) -> Lookup {
        let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, let backend = request.runtime.backend(named: parts[0]),
            let server = backend.server(named: parts[1])
        else { return .failure }
        return .success((backend, server))
    }

    /// Why `find` failed, worded as the real one.
    static func findError(_ target: String, _ request: CLIRequest) -> String {
        let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return CLIMessage.requireBackendServer }
        guard request.runtime.backend(named: parts[0]) != nil else { return CLIMessage.noSuchBackend }
        return CLIMessage.noSuchServer
    }

    static let setServerUsage = "usage: set server <backend>/<server> addr | agent | agent-addr | agent-port | "
        + "agent-send | check-addr | check-port | fqdn | health | ssl | state | weight\n"

    static func setServer(_ request: inout CLIRequest, _ backend: Backend, _ server: Server) -> String {
        switch request[3] {
        case "state":
            switch request[4] {
            case "ready": backend.setState(server, admin: .ready)
            case "drain": backend.setState(server, admin: .drain)
            case "maint": backend.setState(server, admin: .maintenance)
            default: return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n"
            }
            request.runtime.propagateTrackedAdmin(from: server)
            return ""
        case "weight":
            return setWeight(&request, backend, server, request[4])
        case "health":
            // Its health is the tracked server's (2.6 says so before reading the word).
            if server.tracked != nil { return "cannot change health on a tracking server.\n" }
            let health: ProxyRuntime.ForcedHealth
            switch request[4] {
            case "up": health = .up
            case "stopping": health = .stopping
            case "down": health = .down
            default: return "'set server <srv> health' expects 'up', 'stopping', or 'down'.\n"
            }
            if server.config.options.check {
                request.runtime.setCheckHealth(health, backend: backend, server: server, origin: "CLI")
            }
            return ""
        case "addr":
            return setAddress(request, backend, server)
        case "agent", "agent-addr", "agent-port", "agent-send":
            guard let agent = server.agent else { return "agent checks are not enabled on this server.\n" }
            return setAgent(&request, backend, server, agent)
        case "check-addr", "check-port":
            request.omitsEmptyLine = true
            return "health checks are not enabled on this server\n"
        case "fqdn":
            return ResolverCommands.setFQDN(request, backend, server)
        default:
            return setServerUsage
        }
    }

    /// `set weight` / `set server ... weight`: absolute (0-256) or a
    /// percentage of the initial weight.
    static func setWeight(_ request: inout CLIRequest, _ backend: Backend, _ server: Server, _ text: String) -> String {
        guard !text.isEmpty else { return "Require <weight> or <weight%>.\n" }
        let relative = text.hasSuffix("%")
        let digits = relative ? String(text.dropLast()) : text
        var sign = 1
        var body = Substring(digits)
        if body.hasPrefix("-") {
            sign = -1
            body = body.dropFirst()
        }
        let leading = body.prefix { $0.isASCII && $0.isNumber }
        guard !leading.isEmpty else {
            request.omitsEmptyLine = true
            return "Empty weight string empty or preceded by garbage\n"
        }
        guard leading.count == body.count else {
            request.omitsEmptyLine = true
            return "Trailing garbage in weight string\n"
        }
        let value = sign * (Int(leading) ?? Int.max)
        let weight: Int
        if relative {
            guard value >= 0 else { return "Relative weight must be positive.\n" }
            weight = server.lb.configuredWeight * value / 100
            if weight > LBServer.maxWeight { return "Relative weight too large.\n" }
        } else {
            guard (0...LBServer.maxWeight).contains(value) else {
                return "Absolute weight can only be between 0 and 256 inclusive.\n"
            }
            weight = value
        }
        if !backend.loadBalancer.isDynamic, weight != 0, weight != server.lb.configuredWeight {
            return "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"
        }
        backend.setWeight(server, weight)
        return ""
    }

    /// `set server B/S addr IP [port P]`.
    static func setAddress(_ request: CLIRequest, _ backend: Backend, _ server: Server) -> String {
        let ip = request[4]
        guard !ip.isEmpty else { return "set server <b>/<s> addr requires an address and optionally a port.\n" }
        let by = " by 'stats socket command'\n"
        let (oldIP, oldPort) = backend.lock.withLock { (server.address.ipAddress ?? "", server.address.port ?? 0) }
        guard let parsed = try? SocketAddress(ipAddress: ip, port: oldPort) else {
            return "Invalid addr '\(ip)'\(by)"
        }
        var parts: [String] = []
        var newPort = oldPort
        let newIP = parsed.ipAddress ?? ip
        parts.append(newIP == oldIP ? "no need to change the addr" : "IP changed from '\(oldIP)' to '\(newIP)'")
        if request[5] == "port" {
            let text = request[6]
            if let port = Int(text), (0...65535).contains(port) {
                if port == oldPort {
                    parts.append("no need to change the port")
                } else {
                    parts.append("port changed from '\(oldPort)' to '\(port)'")
                    newPort = port
                }
            } else {
                parts.append("problem converting port '\(text)' to an int")
            }
        }
        if let address = try? SocketAddress(ipAddress: newIP, port: newPort) {
            backend.lock.withLock { server.address = address }
            // Pooled connections go to the old address.
            server.idlePool.closeAll()
        }
        return parts.joined(separator: ", ") + by
    }
}

extension ServerCommands {
    /// `add server <bk>/<srv> <addr>[:<port>] [keywords]`: the server starts
    /// in maintenance unless `enabled` is given, as the real one.
    static func addServer(_ request: inout CLIRequest) -> String {
        let target = request[2]
        guard target.contains("/") else {
            request.omitsEmptyLine = true
            return CLIMessage.requireBackendServer
        }
        let parts = target.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let backend = request.runtime.backend(named: parts[0]) else {
            request.omitsEmptyLine = true
            return CLIMessage.noSuchBackend
        }
        guard backend.supportsDynamicServers else {
            request.omitsEmptyLine = true
            return Backend.DynamicServerError.staticAlgorithm.message
        }
        let name = parts[1]
        guard !request[3].isEmpty else {
            return "'server' expects <name> and <addr>[:<port>] as arguments.\n"
        }
        var config: ServerConfig
        switch parseAddress(request[3]) {
        case .success(let (host, port)):
            config = ServerConfig(name: name, host: host, port: port, location: SourceLocation(file: "CLI", line: 0))
        case .failure(let error):
            return error.message
        }
        config.options.disabled = true
        var i = 4
        while i < request.args.count {
            let word = request.args[i]
            switch word {
            case "backup": config.options.backup = true
            case "disabled": config.options.disabled = true
            case "enabled": config.options.disabled = false
            case "weight", "maxconn", "maxqueue", "id":
                guard let value = Int(request[i + 1]), value >= 0 else {
                    return "'\(word)' expects an integer argument.\n"
                }
                switch word {
                case "weight":
                    guard value <= LBServer.maxWeight else {
                        return "weight of server \(name) is not within 0 and \(LBServer.maxWeight) (\(value)).\n"
                    }
                    config.options.weight = value
                case "maxconn": config.options.maxconn = value
                case "maxqueue": config.options.maxqueue = value
                default:
                    guard value > 0 else { return "'id' expects a positive integer argument.\n" }
                    config.id = value
                }
                i += 1
            default:
                return "unknown keyword '\(word)'.\n"
            }
            i += 1
        }
        let address = (try? ProxyRuntime.resolve(config)) ?? (try! SocketAddress(ipAddress: "0.0.0.0", port: config.port ?? 0))
        do {
            try backend.addServer(config, address: address)
        } catch let error as Backend.DynamicServerError {
            return error.message
        } catch {
            return "\(error)\n"
        }
        return "New server registered.\n"
    }

    struct AddressError: Error { let message: String }

    /// `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 literal.
    static func parseAddress(_ text: String) -> Result<(String, Int?), AddressError> {
        var host = text
        var portText: String?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return .failure(AddressError(message: "invalid address: '\(text)'\n")) }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") { portText = String(rest.dropFirst()) }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard let portText else { return .success((host, nil)) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(AddressError(message: "invalid port '\(portText)'\n"))
        }
        return .success((host, port == 0 ? nil : port))
    }
}
