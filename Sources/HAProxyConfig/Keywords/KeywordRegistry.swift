/// Gathers the keyword tables each group declares in its own file and
/// answers "which handler parses this word in this section".
struct KeywordRegistry {
    let global: [String: ConfigKeyword]
    let proxy: [String: ConfigKeyword]
    let bind: [String: BindKeyword]
    let server: [String: ServerKeyword]
    /// `group` and `user` in a `userlist` section.
    let userlist: [String: ConfigKeyword]
    /// The lines of a `resolvers` section.
    let resolvers: [String: ConfigKeyword]
    /// The lines of a `peers` section.
    let peers: [String: ConfigKeyword]

    static let shared = KeywordRegistry()

    init() {
        func table<K>(_ list: [K], _ name: (K) -> String) -> [String: K] {
            Dictionary(list.map { (name($0), $0) }, uniquingKeysWith: { first, _ in first })
        }
        let globalGroups: [[ConfigKeyword]] = [
            Self.globalKeywords, Self.globalLogKeywords, Self.globalVariableKeywords, Self.tlsGlobalKeywords,
            Self.peersGlobalKeywords, Self.threadKeywords, [Self.unixBindKeyword], Self.compressionGlobalKeywords,
        ]
        let proxyGroups: [[ConfigKeyword]] = [
            Self.proxyKeywords, Self.statsKeywords, Self.timeoutKeywords, Self.optionKeywords, Self.checkKeywords,
            Self.httpRuleKeywords, Self.tcpRuleKeywords, Self.proxyLogKeywords, Self.bindSectionKeywords,
            Self.serverSectionKeywords, Self.balanceKeywords, Self.serverStateKeywords, Self.persistenceKeywords,
            Self.errorPageKeywords, Self.logRuleKeywords, Self.stickTableKeywords, Self.tcpKeepAliveKeywords,
            [Self.maxKeepAliveQueueKeyword], Self.compressionKeywords,
        ]
        global = table(globalGroups.flatMap { $0 }, \.name)
        proxy = table(proxyGroups.flatMap { $0 }, \.name)
        bind = table(Self.bindOptions + Self.tlsBindOptions, \.name)
        server = table(Self.serverOptions + Self.tlsServerOptions + Self.resolverServerOptions, \.name)
        userlist = table(Self.userlistKeywords, \.name)
        resolvers = table(Self.resolversKeywords, \.name)
        peers = table(Self.peersKeywords, \.name)
    }

    /// Sections other than global/defaults/frontend/backend/listen that
    /// HAProxy 2.6 knows; this build refuses them with an ALERT.
    static let unsupportedSections: Set<String> = [
        "mailers", "program", "ring", "cache", "fcgi-app",
    ]

    /// Proxy keywords HAProxy 2.6 knows that this build does not implement:
    /// refused with "not supported by this build" rather than "unknown".
    static let unsupportedProxyKeywords: Set<String> = [
        "reqadd",
        "filter", "persist", "email-alert",
        "external-check",
        "dispatch",
        "bind-process", "grace", "guid", "use-fcgi-app",
    ]

    /// Global keywords HAProxy 2.6 knows that this build does not implement.
    static let unsupportedGlobalKeywords: Set<String> = [
        "lua-load", "lua-load-per-thread", "lua-prepend-path", "ssl-engine", "ssl-mode-async",
        "busy-polling", "numa-cpu-mapping",
        "setcap", "external-check", "51degrees-data-file",
        "wurfl-data-file", "deviceatlas-json-file", "profiling.tasks", "profiling.memory",
        "noepoll", "nopoll", "nogetaddrinfo", "maxsslconn",
        "maxsslrate", "maxcomprate", "maxcompcpuusage", "maxpipes", "maxzlibmem",
        "fd-hard-limit", "mworker-max-reloads", "issuers-chain-path",
        "httpclient.resolvers.disabled", "httpclient.resolvers.id", "httpclient.resolvers.prefer",
        "httpclient.retries", "httpclient.ssl.verify", "httpclient.ssl.ca-file", "httpclient.timeout.connect",
        "anonkey", "default-path", "cluster-secret", "log-send-hostname-disabled",
    ]
}
