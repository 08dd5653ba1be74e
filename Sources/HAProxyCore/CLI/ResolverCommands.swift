import HAProxyDNS

/// `show resolvers [<id>]` (management.txt 9.3): the counters of each
/// `resolvers` section's nameservers, in 2.6's layout.
enum ResolverCommands {
    static let keywords: [CLIKeyword] = [
        CLIKeyword(["show", "resolvers"], usage: "show resolvers [id]",
                   help: "dumps counters from all resolvers section and associated name servers") { request in
            let sections = request.runtime.resolvers
            let wanted = request[2]
            if !wanted.isEmpty, !sections.contains(where: { $0.config.name == wanted }) {
                return "Can't find that resolvers section\n"
            }
            var out = ""
            for section in sections where wanted.isEmpty || section.config.name == wanted {
                section.render(into: &out)
            }
            return out
        },
    ]

    /// `set server <b>/<s> fqdn <name>`.
    static func setFQDN(_ request: CLIRequest, _ backend: Backend, _ server: Server) -> String {
        guard let section = request.runtime.resolvers.first(where: { $0.config.name == server.config.options.resolvers }),
            backend.lock.withLock({ server.fqdn }) != nil
        else {
            return "set server <b>/<s> fqdn failed because no resolution is configured.\n"
        }
        if server.isService { return "set server <b>/<s> fqdn failed because SRV resolution is configured.\n" }
        let name = request[4]
        guard !name.isEmpty else { return "set server <b>/<s> fqdn requires a FQDN.\n" }
        let by = " by 'stats socket command'\n"
        guard DNSName.encode(name) != nil, !name.hasPrefix("_") else {
            return "could not update \(backend.name)/\(server.name) FQDN\(by)"
        }
        let old = backend.lock.withLock {
            let old = server.fqdn ?? ""
            server.fqdn = name
            server.hostnameFlag = true
            return old
        }
        section.changeName(of: server, to: name)
        return "\(backend.name)/\(server.name) changed its FQDN from \(old) to \(name)\(by)"
    }
}
