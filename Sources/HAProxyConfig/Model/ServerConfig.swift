/// A `server` line (or one instance of a `server-template`), with the
/// proxy's `default-server` options already applied.
public struct ServerConfig: Sendable, Equatable {
    public var name: String
    /// Host as written: an IPv4/IPv6 literal or a name resolved at start.
    public var host: String
    /// Destination port; nil means "same port as the client connected to".
    public var port: Int?
    /// `+N`/`-N` port offsets relative to the accepted port.
    public var portOffset: Int?
    public var id: Int?
    /// Family forced by an `ipv4@`/`ipv6@` prefix; `.any` for a literal or a name.
    public var family: ListenAddress.AddressFamily = .any
    /// `unix@PATH` or an absolute path: `host` holds the path, `port` is nil.
    public var isUnixSocket = false
    public var options = ServerOptions()
    public var location: SourceLocation

    public init(name: String, host: String, port: Int?, location: SourceLocation) {
        self.name = name
        self.host = host
        self.port = port
        self.location = location
    }
}

/// The options shared by `server` and `default-server`.
public struct ServerOptions: Sendable, Equatable {
    public var weight = 1
    public var backup = false
    public var disabled = false
    /// `cookie VALUE`: the value of the persistence cookie for this server.
    public var cookie: String?
    /// 0 means no limit.
    public var maxconn = 0
    /// 0 means no limit on the server's own queue.
    public var maxqueue = 0
    public var check = false
    public var interMs = 2000
    public var fastinterMs: Int?
    public var downinterMs: Int?
    public var rise = 2
    public var fall = 3
    public var checkPort: Int?
    public var checkAddr: String?
    /// `track [<backend>/]<server>`: the server's operational state follows
    /// that server's (as written; the post-parse check resolves it).
    public var track: String?
    /// `agent-check`: the auxiliary agent check runs (needs `agentPort`).
    public var agentCheck = false
    /// `agent-port`: where the agent listens (0: none).
    public var agentPort = 0
    /// `agent-addr`: the agent's IP address instead of the server's.
    public var agentAddr: String?
    /// `agent-inter`: the delay between agent checks (manual: 2000 ms).
    public var agentInterMs = 2000
    /// `slowstart`: how long a server that came back up takes to reach
    /// its full weight and connection limit (0: at once).
    public var slowstartMs = 0
    /// `on-marked-down shutdown-sessions`: the streams on the server end
    /// when it goes down (logged with a `D` termination code).
    public var shutdownSessionsWhenDown = false
    /// `agent-send`: bytes sent to the agent once connected.
    public var agentSend: String?
    /// `pool-max-conn`: idle connections kept for reuse at most (-1: no
    /// limit, 0: none kept).
    public var poolMaxConn = -1
    public var sendProxy = false
    public var sendProxyV2 = false
    /// `ssl` and its options (manual 5.2).
    public var tls = TLSServerConfig()
    /// `resolvers <id>`: the section that keeps the server's name resolved.
    public var resolvers: String?
    /// `resolve-prefer ipv4|ipv6` (2.6 prefers IPv6).
    public var resolvePreferIPv4 = false
    /// `resolve-net`: preferred networks when an answer has several addresses.
    public var resolveNetworks: [ResolveNetwork] = []
    /// `resolve-opts allow-dup-ip` (`prevent-dup-ip` is the default).
    public var allowDuplicateIP = false
    /// `resolve-opts ignore-weight`: SRV records' weights are not applied.
    public var ignoreServiceWeight = false
    /// `init-addr`: the methods tried in order at start (nil: libc).
    public var initAddr: [InitAddrMethod]?

    public init() {}
}
