import HAProxyConfig
import HAProxyTables
import NIOCore

/// The `peers` sections' runtimes: built with the tables, started with
/// the event loops, stopped with the process.
extension ProxyRuntime {
    func buildPeers() -> [PeersRuntime] {
        configuration.peers.filter { !$0.disabled }.map { section in
            let names = configuration.proxies.filter { !$0.disabled && $0.stickTable?.peers == section.name }
                .map { $0.name } + section.tables.map { $0.definition.name }
            let tables = names.compactMap { StickTableRegistry.table(named: $0) }
            return PeersRuntime(config: section, localName: configuration.localPeerName, tables: tables)
        }
    }

    func startPeers() throws {
        for section in peers { try section.start(on: group.next()) }
    }

    /// On a soft stop: each section hands its tables to the next process.
    func handOverPeers() -> [EventLoopFuture<Void>] {
        peers.map { $0.handOverTables() }
    }

    func stopPeers() {
        for section in peers { section.stop() }
    }
}
