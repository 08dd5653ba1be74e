import HAProxyRules

/// A whole parsed configuration: the immutable value the runtime is built from.
///
/// A reload is a new process, so nothing here changes after parsing; the
/// runtime copies what it needs into its own objects.
public struct Configuration: Sendable {
    public var global = GlobalConfig()
    /// Frontends, backends and listen sections in declaration order.
    public var proxies: [ProxyConfig] = []
    /// Named defaults sections, kept for `from` lookups and diagnostics.
    public var defaults: [ProxyConfig] = []
    /// `http-errors` sections in declaration order.
    public var httpErrors: [HTTPErrorsSection] = []
    /// `userlist` sections in declaration order; any proxy may name any.
    public var userlists: [Userlist] = []
    /// `resolvers` sections in declaration order.
    public var resolvers: [ResolversConfig] = []
    /// `peers` sections in declaration order (those without the local
    /// peer removed, as 2.6 does).
    public var peers: [PeersConfig] = []
    /// The local peer name: `-L`, else the global `localpeer`, else the
    /// host name (manual 3.5).
    public var localPeerName = ""
    /// Files the configuration was read from, in order.
    public var files: [String] = []

    public init() {}

    /// Proxies able to accept connections (frontend and listen).
    public var frontends: [ProxyConfig] { proxies.filter { $0.capabilities.contains(.frontend) } }
    /// Proxies owning servers (backend and listen).
    public var backends: [ProxyConfig] { proxies.filter { $0.capabilities.contains(.backend) } }

    /// False when nothing would listen (HAProxy's `-c` then says "will not
    /// start (no listener) => exit(2)"): no enabled frontend with a `bind`
    /// and no `stats socket`.
    public var hasListeners: Bool {
        !global.statsSockets.isEmpty
            || proxies.contains { !$0.disabled && $0.capabilities.contains(.frontend) && !$0.binds.isEmpty }
    }

    public func userlist(named name: String) -> Userlist? {
        userlists.first { $0.name == name }
    }

    public func proxy(named name: String, capability: ProxyCapabilities) -> ProxyConfig? {
        proxies.first { $0.name == name && $0.capabilities.contains(capability) }
    }
}
