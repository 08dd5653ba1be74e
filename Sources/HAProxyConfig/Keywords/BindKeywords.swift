/// `bind ADDR[,ADDR...] [options]` and its options (manual section 5.1).
extension KeywordRegistry {
    static let bindSectionKeywords: [ConfigKeyword] = [
        ConfigKeyword("bind", [.frontend, .listen], capability: .frontend, parseBind)
    ]

    static let bindOptions: [BindKeyword] = [
        BindKeyword("name", arguments: 1) { a, b, _ in b.name = a[1] },
        BindKeyword("maxconn", arguments: 1) { a, b, _ in b.maxconn = ParseContext.looseInteger(a[1]) },
        BindKeyword("backlog", arguments: 1) { a, b, _ in b.backlog = ParseContext.looseInteger(a[1]) },
        BindKeyword("accept-proxy") { _, b, _ in b.acceptProxy = true },
        BindKeyword("defer-accept") { _, b, _ in b.deferAccept = true },
        BindKeyword("tfo") { _, b, _ in b.tfo = true },
        BindKeyword("v4v6") { _, b, _ in b.v4v6 = true },
        BindKeyword("v6only") { _, b, _ in b.v6only = true },
        BindKeyword("mode", arguments: 1) { a, b, _ in
            guard let m = UInt32(a[1], radix: 8) else {
                throw KeywordError("'mode' : missing or invalid mode '\(a[1])' (octal integer expected)")
            }
            b.unixMode = m == 0 ? nil : m  // 2.6 reads mode 0 as no mode
        },
        BindKeyword("uid", arguments: 1) { a, b, _ in b.unixUser = a[1] },
        BindKeyword("user", arguments: 1) { a, b, _ in b.unixUser = a[1] },
        BindKeyword("gid", arguments: 1) { a, b, _ in b.unixGroup = a[1] },
        BindKeyword("group", arguments: 1) { a, b, _ in b.unixGroup = a[1] },
    ]

    /// `bind` line: addresses, then options from `bindOptions`; options
    /// HAProxy has and this build lacks are refused, never ignored.
    static func parseBind(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1 else {
            throw KeywordError("'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
        }
        let addresses: [ListenAddress]
        do {
            addresses = try AddressParser.listen(args[1], environment: ctx.environment)
        } catch let error as KeywordError {
            throw KeywordError("'bind' : \(error.message)")
        }
        let prefix = "'bind \(args[1])' in section '\(ctx.sectionName)'"
        var bind = BindConfig(address: addresses[0], location: ctx.location)
        bind.tls.addressText = args[1]
        var i = 2
        while i < args.count {
            let option = args[i]
            guard let keyword = KeywordRegistry.shared.bind[option] else {
                if BindKeywordSupport.knownUnsupported.contains(option) || HAProxy26Keywords.bindOptions.contains(option) {
                    throw KeywordError("\(prefix) : '\(option)' option is not supported by this build.")
                }
                var message = "\(prefix): unknown keyword '\(option)'"
                if let best = KeywordSuggestion.bestMatch(
                    for: option,
                    among: Array(KeywordRegistry.shared.bind.keys) + BindKeywordSupport.knownUnsupported)
                {
                    message += "; did you mean '\(best)' maybe ?"
                } else {
                    message += "."
                }
                throw KeywordError(message)
            }
            guard i + keyword.argumentCount < args.count else {
                throw KeywordError("\(prefix) : '\(option)' : \(keyword.missingValue)")
            }
            do {
                try keyword.handler(Array(args[i...(i + keyword.argumentCount)]), &bind, &ctx)
            } catch let error as KeywordError {
                throw KeywordError("\(prefix) : \(error.message)")
            }
            i += 1 + keyword.argumentCount
        }
        if bind.tls.enabled { applyTLSDefaults(&bind.tls, ctx.config.global.tls) }
        let unixDefaults = ctx.config.global.unixBind
        ctx.withProxy { proxy in
            for address in addresses {
                var b = bind
                b.address = address
                unixDefaults.apply(to: &b)
                proxy.binds.append(b)
            }
        }
    }
}
