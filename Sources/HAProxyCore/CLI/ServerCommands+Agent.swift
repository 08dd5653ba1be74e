import HAProxyConfig
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `set server <b>/<s> agent|agent-addr|agent-port|agent-send` on a server
/// with `agent-check`, answered in 2.6's words (recorded from 2.6.12).
extension ServerCommands {
    /// `enable agent` and `disable agent` (manual 9.3): the agent check
    /// stops, its `show stat` columns go empty and the server keeps the
    /// state the agent left (DOWN without "(agent)"); enabling resumes it.
    static let agentKeywords: [CLIKeyword] = [
        CLIKeyword(["disable", "agent"], usage: "disable agent", help: "disable agent checks", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            guard let agent = server.agent else { return "" }
            backend.lock.withLock { server.agentDisabled = true }
            agent.stop()
            return ""
        },
        CLIKeyword(["enable", "agent"], usage: "enable agent", help: "enable agent checks", level: .admin) { request in
            guard case .success(let (backend, server)) = find(request[2], request) else { return findError(request[2], request) }
            guard let agent = server.agent else { return "Agent was not configured on this server, cannot enable.\n" }
            let wasDisabled = backend.lock.withLock {
                defer { server.agentDisabled = false }
                return server.agentDisabled
            }
            if wasDisabled { agent.start(initialDelayMs: 0) }
            return ""
        },
    ]

    static func setAgent(_ request: inout CLIRequest, _ backend: Backend, _ server: Server, _ agent: AgentChecker) -> String {
        let address = backend.lock.withLock { server.address }
        switch request[3] {
        case "agent":
            switch request[4] {
            case "up": request.runtime.setAgentHealth(up: true, backend: backend, server: server)
            case "down": request.runtime.setAgentHealth(up: false, backend: backend, server: server)
            default: return "'set server <srv> agent' expects 'up' or 'down'.\n"
            }
            return ""
        case "agent-port":
            guard !request[4].isEmpty else { return "set server <b>/<s> agent-port requires a port.\n" }
            guard let port = Int(request[4]) else {
                request.omitsEmptyLine = true
                return "provided port is not an integer\n"
            }
            guard (0...65535).contains(port) else {
                request.omitsEmptyLine = true
                return "provided port is invalid\n"
            }
            agent.reconfigure(serverAddress: address, port: port)
            backend.lock.withLock { server.agentPort = port }
            return ""
        case "agent-addr":
            guard !request[4].isEmpty else { return "set server <b>/<s> agent-addr requires an address and optionally a port.\n" }
            var buffer = [UInt8](repeating: 0, count: 16)
            guard inet_pton(AF_INET, request[4], &buffer) == 1 || inet_pton(AF_INET6, request[4], &buffer) == 1 else {
                request.omitsEmptyLine = true
                return "invalid addr '\(request[4])'\n"
            }
            var port: Int?
            if !request[5].isEmpty {
                guard let p = Int(request[5]) else {
                    request.omitsEmptyLine = true
                    return "provided port is not an integer\n"
                }
                guard (0...65535).contains(p) else {
                    request.omitsEmptyLine = true
                    return "provided port is invalid\n"
                }
                port = p
            }
            agent.reconfigure(serverAddress: address, addr: .some(request[4]), port: port)
            backend.lock.withLock {
                server.agentAddr = request[4]
                if let port { server.agentPort = port }
            }
            return ""
        default:  // agent-send
            agent.reconfigure(serverAddress: address, send: .some(request[4].isEmpty ? nil : request[4]))
            return ""
        }
    }
}
