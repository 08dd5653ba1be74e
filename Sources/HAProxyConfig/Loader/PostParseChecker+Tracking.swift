/// `track [<backend>/]<server>` once every proxy is read (manual 5.2): the
/// tracked server exists, has a check or an agent or tracks another one
/// itself, and the chain does not loop. Worded as 2.6 words it, one ALERT
/// per server in the order of the file.
extension PostParseChecker {
    static func checkTracking(_ config: Configuration, diagnostics: inout Diagnostics) {
        struct Key: Hashable { var proxy: String, server: String }
        // The tracks accepted so far: as in 2.6, a loop is seen by the
        // server that closes it, walking the chain resolved before it.
        var resolved: [Key: Key] = [:]
        for proxy in config.proxies where !proxy.disabled {
            for server in proxy.servers {
                guard let text = server.options.track else { continue }
                let prefix = "[\(server.location)] : 'server \(proxy.name)/\(server.name)' :"
                var proxyName = proxy.name
                var serverName = Substring(text)
                if let slash = text.lastIndex(of: "/") {
                    proxyName = String(text[..<slash])
                    serverName = text[text.index(after: slash)...]
                }
                guard let target = config.proxy(named: proxyName, capability: .backend) else {
                    diagnostics.alert("\(prefix) unable to find required proxy '\(proxyName)' for tracking.", at: server.location)
                    continue
                }
                guard let tracked = target.servers.first(where: { $0.name == serverName }) else {
                    diagnostics.alert("\(prefix) unable to find required server '\(serverName)' for tracking.", at: server.location)
                    continue
                }
                let options = tracked.options
                guard options.check || options.agentCheck || options.track != nil else {
                    diagnostics.alert(
                        "\(prefix) unable to use \(target.name)/\(tracked.name) for tracking as it does not have any check nor agent enabled.",
                        at: server.location)
                    continue
                }
                let me = Key(proxy: proxy.name, server: server.name)
                var link: Key? = Key(proxy: target.name, server: tracked.name)
                var looped = false
                while let current = link {
                    if current == me {
                        looped = true
                        break
                    }
                    link = resolved[current]
                }
                if looped {
                    diagnostics.alert(
                        "\(prefix) unable to track \(target.name)/\(tracked.name) as it belongs to a tracking chain looping back to \(proxy.name)/\(server.name).",
                        at: server.location)
                    continue
                }
                resolved[me] = Key(proxy: target.name, server: tracked.name)
            }
        }
    }
}
