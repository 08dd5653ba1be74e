import HAProxyRules
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// General proxy keywords (manual section 4.2): mode, backends selection,
/// limits, identity, error files, captures.
extension KeywordRegistry {
    static let proxyKeywords: [ConfigKeyword] = [
        ConfigKeyword("mode", .proxies) { args, ctx in
            try ctx.checkMaxArguments(args, 1)
            guard args.count > 1, let mode = ProxyMode(rawValue: args[1]) else {
                if args.count > 1 && args[1] == "health" {
                    throw KeywordError("'mode health' doesn't exist anymore. Please use 'http-request return' instead.")
                }
                throw KeywordError("unknown proxy mode '\(args.count > 1 ? args[1] : "")'.")
            }
            ctx.withProxy { $0.mode = mode }
        },
        ConfigKeyword("default_backend", .frontendSide, capability: .frontend) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'default_backend' expects a backend name.") }
            try ctx.checkMaxArguments(args, 1)
            ctx.withProxy { $0.defaultBackend = args[1] }
        },
        ConfigKeyword("use_backend", [.frontend, .listen], capability: .frontend, parseUseBackend),
        ConfigKeyword("maxconn", .frontendSide, capability: .frontend) { args, ctx in
            let v = try integerArgument(args, ctx)
            ctx.withProxy { $0.maxconn = v }
        },
        // Allowed in backends, where it is ignored with a warning of its own.
        ConfigKeyword("rate-limit", .proxies, parseRateLimit),
        ConfigKeyword("backlog", .frontendSide, capability: .frontend) { args, ctx in
            let v = try integerArgument(args, ctx)
            ctx.withProxy { $0.backlog = v }
        },
        ConfigKeyword("fullconn", .backendSide, capability: .backend) { args, ctx in
            let v = try integerArgument(args, ctx)
            ctx.withProxy { $0.fullconn = v }
        },
        ConfigKeyword("retries", .backendSide, capability: .backend) { args, ctx in
            let v = try integerArgument(args, ctx)
            ctx.withProxy { $0.retries = v }
        },
        // Ignored in `mode tcp`, as in 2.6; the HTTP stream and
        // `ConnectRetry` apply it.
        ConfigKeyword("retry-on", .backendSide) { args, ctx in
            if let proxy = ctx.proxy, !proxy.isDefaults, !proxy.capabilities.contains(.backend) {
                throw KeywordError("'retry-on' only available in backend or listen section")
            }
            switch RetryOn.parse(args.dropFirst()) {
            case .success(let set): ctx.withProxy { $0.retryOn = set }
            case .failure(let error):
                throw KeywordError("'retry-on'\(error.message.hasPrefix(":") ? "" : " ")\(error.message)")
            }
        },
        ConfigKeyword("http-reuse", .backendSide, capability: .backend) { args, ctx in
            guard args.count > 1, let reuse = HTTPReuse(rawValue: args[1]) else {
                throw KeywordError("'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'.")
            }
            try ctx.checkMaxArguments(args, 1)
            ctx.withProxy { $0.httpReuse = reuse }
        },
        // 2.6 takes the first word and lets the others be; a frontend's is
        // ignored with a warning.
        ConfigKeyword("http-send-name-header", .proxies, capability: .backend) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'http-send-name-header' requires a header string.") }
            ctx.withProxy { $0.sendNameHeader = args[1] }
        },
        ConfigKeyword("id", [.frontend, .backend, .listen]) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'id' expects an integer argument.") }
            guard let v = Int(args[1]), v > 0 else { throw KeywordError("custom id has to be > 0.", form: .parsingTight) }
            if let proxy = ctx.proxy, let other = ctx.config.proxies.first(where: { $0.id == v }) {
                throw KeywordError(
                    "\(proxy.sectionName) \(proxy.name) reuses same custom id as \(other.sectionName) \(other.name) (declared at \(other.location)).",
                    form: .parsingTight)
            }
            ctx.withProxy { $0.id = v }
        },
        ConfigKeyword("description", .proxies) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'description' expects a string argument.") }
            ctx.withProxy { $0.description = args.dropFirst().joined(separator: " ") }
        },
        ConfigKeyword("disabled", .proxies) { args, ctx in
            try ctx.checkMaxArguments(args, 0)
            ctx.withProxy { $0.disabled = true }
        },
        ConfigKeyword("enabled", .proxies) { args, ctx in
            try ctx.checkMaxArguments(args, 0)
            ctx.withProxy { $0.disabled = false }
        },
        ConfigKeyword("monitor-uri", .frontendSide, capability: .frontend) { args, ctx in
            guard args.count > 1 else { throw KeywordError("'monitor-uri' expects an URI.") }
            try ctx.checkMaxArguments(args, 1)
            ctx.withProxy { $0.monitorURI = args[1] }
        },
        ConfigKeyword("monitor", [.frontend, .backend, .listen], capability: .frontend) { args, ctx in
            guard args.count > 1, args[1] == "fail" else { throw KeywordError("'monitor' only supports 'fail'.") }
            let condition = try persistCondition("monitor fail", Array(args.dropFirst()), &ctx)
            ctx.withProxy { $0.monitorFail.append(condition) }
        },
        ConfigKeyword("capture", [.frontend, .listen], capability: .frontend, parseCapture),
        ConfigKeyword("source", [.defaults, .frontend, .backend, .listen], capability: .backend, parseSource),
    ]

    /// `source <addr>[:<port>]`: an address literal (2.6 resolves no
    /// name here), no port range. `usesrc` (transparent proxying) and
    /// `interface` are refused by name.
    static func parseSource(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError(
                "'source' expects <addr>[:<port>], and optionally 'usesrc' <addr>, and 'interface' <name>.")
        }
        var i = 2
        while i < args.count {
            switch args[i] {
            case "usesrc", "interface":
                throw KeywordError("'source ... \(args[i])' is not supported by this build.")
            default:
                throw KeywordError("'source' only supports optional keywords 'interface' and 'usesrc'.")
            }
        }
        let text = args[1]
        var host = text, port = 0
        if text.hasPrefix("[") || text.hasPrefix("ipv4@") || text.hasPrefix("ipv6@") || text.contains(":") {
            var rest = text
            if rest.hasPrefix("ipv4@") || rest.hasPrefix("ipv6@") { rest = String(rest.dropFirst(5)) }
            let (h, p) = try AddressParser.splitHostPort(rest, original: text)
            host = h
            if let p {
                if p.contains("-") {
                    throw KeywordError("'source \(text)' : port range not permitted here in '\(text)'")
                }
                guard let n = Int(p), (0...65535).contains(n) else {
                    throw KeywordError("'source \(text)' : invalid address: '\(text)' in '\(text)'\n")
                }
                port = n
            }
        }
        if host == "*" { host = "0.0.0.0" }
        guard IPv4Address(text: Array(host.utf8)) != nil || IPv6Address(text: Array(host.utf8)) != nil else {
            throw KeywordError("'source \(text)' : invalid address: '\(host)' in '\(text)'\n")
        }
        let source = SourceAddress(host: host, port: port)
        ctx.withProxy { $0.source = source }
    }

    /// `rate-limit sessions <rate>`: the value is read as C's `strtoul` with
    /// base 0 (`0x10` is 16, a leading 0 means octal), as HAProxy does.
    static func parseRateLimit(_ args: [String], _ ctx: inout ParseContext) throws {
        let what = args.count > 1 ? args[1] : ""
        guard what == "sessions" else { throw KeywordError("'rate-limit' only supports 'sessions' (got '\(what)')") }
        let text = args.count > 2 ? args[2] : ""
        guard !text.isEmpty else {
            throw KeywordError("'rate-limit sessions' expects expects an integer value (in sessions/second)")
        }
        let (value, rest) = text.withCString { start -> (UInt, CChar) in
            var end: UnsafeMutablePointer<CChar>?
            let value = strtoul(start, &end, 0)
            return (value, end?.pointee ?? 0)
        }
        if rest != 0 {
            let character = Character(Unicode.Scalar(UInt8(bitPattern: rest)))
            throw KeywordError("'rate-limit sessions' : unexpected character '\(character)' in integer value '\(text)'")
        }
        guard let proxy = ctx.proxy else { return }
        let limit = UInt32(truncatingIfNeeded: value)
        if !proxy.isDefaults && !proxy.capabilities.contains(.frontend) {
            ctx.warning(
                "rate-limit sessions will be ignored because \(proxy.sectionName) '\(proxy.name)' has no frontend capability")
        } else if !proxy.isDefaults {
            // As HAProxy: a value that differs from the defaults' was set on an earlier line.
            let defaults = proxy.fromDefaults.flatMap { ctx.namedDefaults[$0] } ?? ctx.defaultsInForce
            if proxy.rateLimitSessions != (defaults?.rateLimitSessions ?? 0) {
                ctx.warning("overwriting rate-limit sessions which was already specified")
            }
        }
        ctx.withProxy { $0.rateLimitSessions = limit }
    }

    /// `capture request header NAME len N` / `capture response header NAME len N`.
    static func parseCapture(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1, ["request", "response", "cookie"].contains(args[1]) else {
            throw KeywordError("'capture' expects 'cookie', 'request header' or 'response header'.")
        }
        if args[1] == "cookie" {
            throw KeywordError("'capture cookie' is not supported by this build.")
        }
        guard args.count == 6, args[2] == "header", args[4] == "len" else {
            throw KeywordError("'capture \(args[1]) header' expects <header name> 'len' <len>.")
        }
        let length = ParseContext.looseInteger(args[5])
        let header = CapturedHeader(name: args[3], length: length)
        ctx.withProxy { proxy in
            if args[1] == "request" {
                proxy.captureRequestHeaders.append(header)
            } else {
                proxy.captureResponseHeaders.append(header)
            }
        }
    }

    /// `use_backend <backend> [{if | unless} <condition>]`; a name with
    /// `%[...]` is a log-format expression resolved per request.
    static func parseUseBackend(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1 else { throw KeywordError("'use_backend' expects a backend name.") }
        let target: SwitchingRule.Target
        if args[1].contains("%[") {
            do {
                // 2.6 resolves it after parsing: its maps number after the others.
                target = .format(try PatternReferences.during(.postParsing) { try SampleFormat.parse(args[1]) })
            } catch let e as SampleParseError {
                throw KeywordError("use_backend: \(e.message).")
            }
        } else {
            target = .name(args[1])
        }
        let words = ArraySlice(args.dropFirst(2))
        if let word = words.first, word != "if" && word != "unless" {
            throw KeywordError("unexpected keyword '\(word)' after switching rule, only 'if' and 'unless' are allowed.")
        }
        let condition = try ctx.parseRuleCondition(words, keyword: "'use_backend'", conditionContext: "switching rule")
        let rule = SwitchingRule(target: target, condition: condition, location: ctx.location)
        ctx.withProxy { $0.switchingRules.append(rule) }
    }
}
