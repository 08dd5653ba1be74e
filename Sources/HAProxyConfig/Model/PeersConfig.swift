import HAProxyTables

/// A `peers` section (manual 3.5): the processes that share the stick
/// tables naming it, one of which is this one (the local peer, named by
/// `-L`, the global `localpeer`, or the host name).
public struct PeersConfig: Sendable {
    /// A `peer <name> <addr>:<port>` line, or a `server <name> [<addr>:<port>]`
    /// line (the local one has no address: the `bind` line gives it).
    public struct Peer: Sendable, Equatable {
        public var name: String
        public var host: String
        public var port: Int
        public var location: SourceLocation
        /// The peer this process is (its name is the local peer name).
        public var isLocal = false

        public init(name: String, host: String, port: Int, location: SourceLocation, isLocal: Bool = false) {
            self.name = name
            self.host = host
            self.port = port
            self.location = location
            self.isLocal = isLocal
        }
    }

    public var name: String
    public var location: SourceLocation
    /// `disabled` (until a later `enabled`): the section shares nothing.
    public var disabled = false
    public var peers: [Peer] = []
    /// `bind <addr>:<port>`: where the local peer listens in the
    /// `bind` + `server` form.
    public var bind: (host: String, port: Int, location: SourceLocation)?
    /// `table <name> ...` lines: tables known as `<section>/<name>`.
    public var tables: [StickTableConfig] = []
    /// Whether the `peer` form was used (2.6 refuses to mix it with `bind`).
    public var usesPeerLines = false

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The local peer, once the local peer name is known.
    public var localPeer: Peer? { peers.first { $0.isLocal } }
    public var remotePeers: [Peer] { peers.filter { !$0.isLocal } }
}
