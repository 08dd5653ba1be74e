import HAProxyConfig

/// Commands on frontends (manual 9.3): `disable|enable frontend`,
/// `shutdown frontend`, `set maxconn frontend`.
enum FrontendCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["disable", "frontend"], usage: "disable frontend <frontend>",
                   help: "temporarily disable specific frontend", level: .admin) { request in
            guard let frontend = find(request, request[2]) else { return missing(request[2]) }
            return frontend.setAdminDisabled(true) ? "" : "All sockets are already disabled.\n"
        },
        CLIKeyword(["enable", "frontend"], usage: "enable frontend <frontend>",
                   help: "re-enable specific frontend", level: .admin) { request in
            guard let frontend = find(request, request[2]) else { return missing(request[2]) }
            return frontend.setAdminDisabled(false) ? "" : "All sockets are already enabled.\n"
        },
        CLIKeyword(["shutdown", "frontend"], usage: "shutdown frontend <frontend>",
                   help: "stop a specific frontend", level: .admin) { request in
            guard let frontend = find(request, request[2]) else { return missing(request[2]) }
            frontend.closeListeners()
            return ""
        },
        CLIKeyword(["set", "maxconn", "frontend"], usage: "set maxconn frontend <frontend> <value>",
                   help: "change a frontend's maxconn setting", level: .admin) { request in
            guard let frontend = find(request, request[3]) else { return missing(request[3]) }
            guard !request[4].isEmpty, let value = Int(request[4]) else { return "Integer value expected.\n" }
            guard value >= 0 else { return "Value out of range.\n" }
            frontend.setMaxconn(value)
            return ""
        },
    ]

    /// A frontend by name, or by `#id`.
    static func find(_ request: CLIRequest, _ name: String) -> Frontend? {
        let runtime = request.runtime
        if name.hasPrefix("#"), let id = Int(name.dropFirst()) {
            let ids = ProxyNumbering.ids(runtime.configuration)
            return runtime.frontends.first { ids[$0.name] == id }
        }
        return runtime.frontends.first { $0.name == name }
    }

    static func missing(_ name: String) -> String {
        name.isEmpty ? "A frontend name is expected.\n" : CLIMessage.noSuchFrontend
    }
}
