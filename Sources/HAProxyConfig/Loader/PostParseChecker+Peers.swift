/// `peers` sections once the file is read: a section that does not list
/// the local peer is dropped with a warning (its tables stay local), a
/// `stick-table ... peers` naming no section is refused, as 2.6 does.
extension PostParseChecker {
    static func checkPeers(_ config: inout Configuration, _ diagnostics: inout Diagnostics) {
        var removed: Set<String> = []
        config.peers.removeAll { section in
            guard section.localPeer == nil else { return false }
            diagnostics.warning(
                "Removing incomplete section 'peers \(section.name)' (no peer named '\(config.localPeerName)').",
                at: section.location)
            removed.insert(section.name)
            return true
        }
        for proxy in config.proxies where !proxy.disabled {
            guard let name = proxy.stickTable?.peers, !removed.contains(name) else { continue }
            if !config.peers.contains(where: { $0.name == name }) {
                diagnostics.alert("Proxy '\(proxy.name)': unable to find sync peers '\(name)'.")
            }
        }
        for index in config.proxies.indices where removed.contains(config.proxies[index].stickTable?.peers ?? "") {
            config.proxies[index].stickTable?.peers = nil
        }
    }
}
