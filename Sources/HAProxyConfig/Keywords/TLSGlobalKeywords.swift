/// The TLS globals (manual 3.1 `ssl-default-*`, `ssl-server-verify`, 3.2
/// `tune.ssl.default-dh-param`): defaults for the bind and server lines
/// that follow them.
extension KeywordRegistry {
    static let tlsGlobalKeywords: [ConfigKeyword] = [
        cipherDefault("ssl-default-bind-ciphers", "a cipher suite", \.bindCiphers),
        cipherDefault("ssl-default-bind-ciphersuites", "a cipher suite", \.bindCiphersuites),
        cipherDefault("ssl-default-bind-curves", "a curves suite", \.bindCurves),
        cipherDefault("ssl-default-server-ciphers", "a cipher suite", \.serverCiphers),
        cipherDefault("ssl-default-server-ciphersuites", "a cipher suite", \.serverCiphersuites),
        ConfigKeyword("ssl-default-bind-options", .global) { args, ctx in
            ctx.config.global.tls.bindOptions = try defaultOptions(args, server: false)
        },
        ConfigKeyword("ssl-default-server-options", .global) { args, ctx in
            ctx.config.global.tls.serverOptions = try defaultOptions(args, server: true)
        },
        ConfigKeyword("ssl-server-verify", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1 else { throw KeywordError("'ssl-server-verify' expects an integer argument.") }
            guard let mode = TLSVerifyMode(rawValue: args[1]) else {
                throw KeywordError("'ssl-server-verify' expects 'none' or 'required' as argument.")
            }
            ctx.config.global.tls.serverVerify = mode
        },
        ConfigKeyword("tune.ssl.default-dh-param", .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'tune.ssl.default-dh-param' expects an integer argument.")
            }
            let bits = ParseContext.looseInteger(args[1])
            guard bits >= 1024 else { throw KeywordError("'tune.ssl.default-dh-param' expects a value >= 1024.") }
            ctx.config.global.tls.defaultDHParamBits = bits
        },
        ConfigKeyword("tune.ssl.cachesize", .global) { args, ctx in
            let n = try integerArgument(args, ctx)
            guard n >= 0 else { throw KeywordError("'tune.ssl.cachesize' expects a positive numeric value.") }
            ctx.config.global.tls.cacheSize = n
        },
        ConfigKeyword("tune.ssl.maxrecord", .global) { args, ctx in
            ctx.config.global.tls.maxRecord = max(0, try integerArgument(args, ctx))
        },
        ConfigKeyword("tune.ssl.lifetime", .global) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'tune.ssl.lifetime' expects ssl sessions <lifetime> in seconds as argument.")
            }
            switch DurationParser.parse(args[1], defaultUnitMs: 1000) {
            case .success(let v): ctx.config.global.tls.sessionLifetime = max(1, v.milliseconds / 1000)
            case .failure(.unexpectedCharacter(let c)):
                throw KeywordError("unexpected character '\(c)' in argument to <tune.ssl.lifetime>.")
            case .failure:
                throw KeywordError("'tune.ssl.lifetime' expects ssl sessions <lifetime> in seconds as argument.")
            }
        },
        ConfigKeyword("ssl-dh-param-file", .global) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'ssl-dh-param-file' expects a file path as an argument.")
            }
            if let loader = ctx.tlsFiles, !loader.loadDHParameters(at: args[1]) {
                throw KeywordError("'ssl-dh-param-file': unable to load DH parameters from file <\(args[1])>.")
            }
            ctx.config.global.tls.dhParamFile = args[1]
        },
    ]

    private static func cipherDefault(
        _ name: String, _ what: String, _ path: WritableKeyPath<TLSGlobalConfig, String?>
    ) -> ConfigKeyword {
        ConfigKeyword(name, .global) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1 else {
                throw KeywordError("global statement '\(name)' expects \(what) as an argument.")
            }
            ctx.config.global.tls[keyPath: path] = args[1]
        }
    }

    /// `ssl-default-bind-options` / `ssl-default-server-options` words.
    static func defaultOptions(_ args: [String], server: Bool) throws -> TLSDefaultOptions {
        let statement = "global statement '\(args[0])'"
        guard args.count > 1 else { throw KeywordError("\(statement) expects an option as an argument.") }
        var options = TLSDefaultOptions()
        var i = 1
        while i < args.count {
            let word = args[i]
            if word == "ssl-min-ver" || word == "ssl-max-ver" {
                guard i + 1 < args.count else {
                    throw KeywordError("'\(word)' : missing the ssl/tls version on \(statement).")
                }
                guard let v = TLSVersion(name: args[i + 1]) else {
                    throw KeywordError("'\(args[i + 1])' : unknown ssl/tls version on \(statement).")
                }
                if word == "ssl-min-ver" { options.versions.minimum = v } else { options.versions.maximum = v }
                i += 2
                continue
            }
            if word == "no-tls-tickets" {
                options.noTLSTickets = true
            } else if word == "prefer-client-ciphers" && !server {
                options.preferClientCiphers = true
            } else if let v = TLSVersion.allCases.first(where: { "no-" + $0.optionSuffix == word }) {
                options.versions.disabled.insert(v)
            } else if let v = TLSVersion.allCases.first(where: { "force-" + $0.optionSuffix == word }) {
                options.versions.minimum = v
                options.versions.maximum = v
            } else {
                throw KeywordError("unknown option '\(word)' on \(statement).")
            }
            i += 1
        }
        return options
    }
}
