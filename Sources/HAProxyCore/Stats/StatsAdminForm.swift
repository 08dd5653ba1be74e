/// The admin form of the statistics page, posted as
/// `application/x-www-form-urlencoded`: `b` the backend (`#<id>` or its
/// name), `action` one of `StatsPageHTML.adminActions`, `s` each server.
/// The result is the `;st=` code 2.6 redirects with: DONE, PART (some
/// servers unknown), NONE (nothing applied), ERRP (bad parameters).
struct StatsAdminForm {
    var backend: String?
    var action: String?
    var servers: [String] = []

    init(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            switch key {
            case "b": backend = value
            case "action": action = value
            case "s": servers.append(value)
            default: break
            }
        }
    }

    /// Applies the action; returns the `;st=` code.
    func apply(_ runtime: ProxyRuntime) -> String {
        guard let name = backend, !name.isEmpty else { return "NONE" }
        let ids = ProxyNumbering.ids(runtime.configuration)
        let proxyName: String?
        if name.hasPrefix("#") {
            let id = Int(name.dropFirst())
            proxyName = ids.first(where: { $0.value == id })?.key
        } else {
            proxyName = name
        }
        guard let proxyName, let target = runtime.backend(named: proxyName) else { return "ERRP" }
        guard let action, StatsPageHTML.adminActions.contains(where: { $0.0 == action }) else { return "ERRP" }
        if servers.isEmpty { return "NONE" }
        var applied = 0, unknown = 0
        for serverName in servers {
            guard let server = target.server(named: serverName) else {
                unknown += 1
                continue
            }
            if perform(action, on: server, target, runtime) { applied += 1 }
        }
        if unknown > 0 { return applied > 0 ? "PART" : "ERRP" }
        return applied > 0 ? "DONE" : "NONE"
    }

    /// One server: false when the action does not apply to it (health
    /// actions on an unchecked server, agent actions on a server without
    /// `agent-check`).
    private func perform(_ action: String, on server: Server, _ backend: Backend, _ runtime: ProxyRuntime) -> Bool {
        let checked = server.config.options.check
        switch action {
        case "ready", "drain", "maint":
            backend.setState(server, admin: action == "ready" ? .ready : action == "drain" ? .drain : .maintenance)
            runtime.propagateTrackedAdmin(from: server)
        case "dhlth":
            guard checked, let checker = server.checker else { return false }
            checker.stop()
        case "ehlth":
            guard checked, let checker = server.checker else { return false }
            checker.start()
        case "hrunn", "hnolb", "hdown":
            guard checked else { return false }
            let health: ProxyRuntime.ForcedHealth = action == "hrunn" ? .up : action == "hnolb" ? .stopping : .down
            runtime.setCheckHealth(health, backend: backend, server: server, origin: "Web interface")
        case "dagent", "eagent":
            guard let agent = server.agent else { return false }
            let disable = action == "dagent"
            let changed = backend.lock.withLock {
                defer { server.agentDisabled = disable }
                return server.agentDisabled != disable
            }
            if changed { disable ? agent.stop() : agent.start(initialDelayMs: 0) }
        case "arunn", "adown":
            // As `set server ... agent up|down`.
            guard server.agent != nil else { return false }
            runtime.setAgentHealth(up: action == "arunn", backend: backend, server: server, origin: "Web interface")
        case "shutdown":
            runtime.streams.shutdown { $0.server === server }
        default:
            return false
        }
        return true
    }

    /// Form decoding: `+` is a space, `%XX` a byte.
    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var it = Array(text.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if c == UInt8(ascii: "%"), it.count >= 2,
                      let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(v)
                it.removeFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
