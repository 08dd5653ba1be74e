/// `timeout NAME VALUE` (manual section 4.2) and the refused pre-2.1 forms
/// `contimeout`, `clitimeout`, `srvtimeout`.
extension KeywordRegistry {
    /// The timeouts HAProxy lists in its error message, in its order, with
    /// the capability each one needs.
    static let timeoutNames: [(name: String, path: WritableKeyPath<Timeouts, Int?>, capability: ProxyCapabilities)] = [
        ("client", \.client, .frontend), ("server", \.server, .backend), ("connect", \.connect, .backend),
        ("check", \.check, .backend), ("queue", \.queue, .backend), ("http-keep-alive", \.httpKeepAlive, .listen),
        ("http-request", \.httpRequest, .listen), ("tunnel", \.tunnel, .backend), ("tarpit", \.tarpit, .listen),
        ("client-fin", \.clientFin, .frontend), ("server-fin", \.serverFin, .backend),
    ]

    static let timeoutKeywords: [ConfigKeyword] = [
        ConfigKeyword("timeout", .proxies, parseTimeout),
        obsoleteTimeout("contimeout", "connect"),
        obsoleteTimeout("clitimeout", "client"),
        obsoleteTimeout("srvtimeout", "server"),
    ]

    static func parseTimeout(_ args: [String], _ ctx: inout ParseContext) throws {
        let name = args.count > 1 ? args[1] : ""
        guard let entry = timeoutNames.first(where: { $0.name == name }) else {
            throw KeywordError(
                "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '\(name)')"
            )
        }
        let ms = try ctx.duration(args.count > 2 ? args[2] : nil, keyword: "timeout \(name)")
        try ctx.checkMaxArguments(args, 2, keyword: "timeout \(name)")
        guard let proxy = ctx.proxy else { return }
        if !proxy.isDefaults && proxy.capabilities.isDisjoint(with: entry.capability) {
            let missing = entry.capability == .frontend ? "frontend" : "backend"
            ctx.warning(
                "'timeout \(name)' will be ignored because \(proxy.sectionName) '\(proxy.name)' has no \(missing) capability")
        }
        ctx.withProxy { $0.timeouts[keyPath: entry.path] = ms }
    }

    private static func obsoleteTimeout(_ old: String, _ new: String) -> ConfigKeyword {
        ConfigKeyword(old, .proxies) { _, _ in
            throw KeywordError("the '\(old)' directive is not supported anymore since HAProxy 2.1. Use 'timeout \(new)'.")
        }
    }
}
