#if canImport(Glibc)
import Glibc
#endif
/// `option NAME [args]` and `no option NAME` (manual section 4.2).
extension KeywordRegistry {
    static let optionKeywords: [ConfigKeyword] = [
        ConfigKeyword("option", .proxies, parseOption)
    ]

    /// Boolean options: `option X` sets, `no option X` clears.
    static let booleanOptions: [String: (path: WritableKeyPath<ProxyOptions, Bool>, capability: ProxyCapabilities)] = [
        "redispatch": (\.redispatch, .backend),
        "persist": (\.persist, .backend),
        "abortonclose": (\.abortOnClose, .backend),
        "allbackups": (\.allBackups, .backend),
        "dontlognull": (\.dontLogNull, .frontend),
        "dontlog-normal": (\.dontLogNormal, .frontend),
        "log-separate-errors": (\.logSeparateErrors, .frontend),
        "logasap": (\.logASAP, .frontend),
        "log-health-checks": (\.logHealthChecks, .backend),
        "http-use-proxy-header": (\.httpUseProxyHeader, .frontend),
        "http-buffer-request": (\.httpBufferRequest, .listen),
        "accept-invalid-http-request": (\.acceptInvalidHTTPRequest, .frontend),
        "accept-invalid-http-response": (\.acceptInvalidHTTPResponse, .backend),
        "tcp-smart-accept": (\.tcpSmartAccept, .frontend),
        "tcp-smart-connect": (\.tcpSmartConnect, .backend),
        "disable-h2-upgrade": (\.disableH2Upgrade, .frontend),
        "http-pretend-keepalive": (\.httpPretendKeepAlive, .backend),
        "h1-case-adjust-bogus-client": (\.headerCaseAdjustClient, .frontend),
        "h1-case-adjust-bogus-server": (\.headerCaseAdjustServer, .backend),
        "http-ignore-probes": (\.httpIgnoreProbes, .frontend),
        "splice-request": (\.spliceRequest, .listen),
        "splice-response": (\.spliceResponse, .listen),
        "splice-auto": (\.spliceAuto, .listen),
        "clitcpka": (\.clientTCPKeepAlive, .frontend),
        "srvtcpka": (\.serverTCPKeepAlive, .backend),
        "prefer-last-server": (\.preferLastServer, .backend),
    ]

    /// `option httpclose|http-server-close|http-keep-alive`.
    static let httpConnectionModes: [String: ProxyOptions.HTTPConnectionMode] = [
        "httpclose": .close, "http-server-close": .serverClose, "http-keep-alive": .keepAlive,
    ]

    /// Options taking arguments, parsed by `parseOption` itself.
    static let argumentOptions: [String] = [
        "httplog", "httpslog", "tcplog", "forwardfor", "httpchk", "tcp-check", "originalto", "http-restrict-req-hdr-names",
        "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check", "ssl-hello-chk",
    ]

    /// The health check options: a frontend ignores them with a warning.
    static let checkOptions: Set<String> = [
        "httpchk", "tcp-check", "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check", "ssl-hello-chk",
    ]

    /// Every option name `option` accepts.
    static var acceptedOptions: [String] {
        Array(booleanOptions.keys) + Array(httpConnectionModes.keys) + argumentOptions + ["tcpka"]
    }

    /// Options HAProxy 2.6 has that this build does not implement.
    static let unsupportedOptions: Set<String> = [
        "checkcache", "contstats",
        "external-check",
        "http-no-delay",
        "http_proxy", "idle-close-on-response",
        "socket-stats", "spop-check", "transparent", "forceclose", "http-tunnel",
    ]

    static func parseOption(_ args: [String], _ ctx: inout ParseContext) throws {
        guard args.count > 1 else { throw KeywordError("'option' expects an option name.") }
        let name = args[1]
        let negated = ctx.negated
        if [
            "clitcpka", "srvtcpka", "tcpka", "prefer-last-server", "tcp-smart-accept", "tcp-smart-connect",
            "disable-h2-upgrade", "http-pretend-keepalive",
        ].contains(name) {
            try ctx.checkMaxArguments(args, 1, keyword: "option \(name)")
        }
        if let entry = booleanOptions[name] {
            if let proxy = ctx.proxy, !proxy.isDefaults, proxy.capabilities.isDisjoint(with: entry.capability) {
                let missing = entry.capability == .frontend ? "frontend" : "backend"
                ctx.warning("'\(name)' ignored because \(proxy.sectionName) '\(proxy.name)' has no \(missing) capability.")
                return
            }
            ctx.withProxy { $0.options[keyPath: entry.path] = !negated }
            if entry.path == \ProxyOptions.logHealthChecks {
                ctx.withProxy { $0.healthCheck.logHealthChecks = !negated }
            }
            return
        }
        if name == "tcpka" {
            // Both sides, each one applying where the proxy has it.
            ctx.withProxy {
                $0.options.clientTCPKeepAlive = !negated
                $0.options.serverTCPKeepAlive = !negated
            }
            return
        }
        if let mode = httpConnectionModes[name] {
            ctx.withProxy { proxy in
                if !negated {
                    proxy.options.httpConnectionMode = mode
                } else if proxy.options.httpConnectionMode == mode {
                    proxy.options.httpConnectionMode = .keepAlive
                }
            }
            return
        }
        if unsupportedOptions.contains(name) || HAProxy26Keywords.options.contains(name),
            !argumentOptions.contains(name)
        {
            throw KeywordError("'\(negated ? "no " : "")option \(name)' is not supported by this build.")
        }
        if negated {
            throw KeywordError("negation/default is not supported for option '\(name)'.", form: .parsingTight)
        }
        // 2.6 warns, then still refuses bad arguments; the check of a
        // frontend never runs.
        var ignored = false
        if checkOptions.contains(name), let proxy = ctx.proxy, !proxy.isDefaults,
            !proxy.capabilities.contains(.backend)
        {
            ctx.warning("'\(name)' ignored because \(proxy.sectionName) '\(proxy.name)' has no backend capability.")
            ignored = true
        }
        switch name {
        case "httplog":
            if args.count > 2 && args[2] != "clf" {
                throw KeywordError("keyword 'httplog' only supports option 'clf'.")
            }
            try ctx.checkMaxArguments(args, 2, keyword: "option httplog")
            let clf = args.count > 2
            if let header = ctx.proxy?.location { ctx.httpLogLocations[header] = ctx.location }
            ctx.withProxy {
                $0.options.httpLog = clf ? .clf : .http
                $0.options.tcpLog = false
                $0.logFormat = nil  // the option's format replaces an earlier log-format
            }
        case "httpslog":
            // 2.6 takes any words after it without a word of complaint.
            if let header = ctx.proxy?.location { ctx.httpLogLocations[header] = ctx.location }
            ctx.withProxy {
                $0.options.httpLog = .https
                $0.options.tcpLog = false
                $0.logFormat = nil
            }
        case "tcplog":
            try ctx.checkMaxArguments(args, 1, keyword: "option tcplog")
            ctx.withProxy {
                $0.options.tcpLog = true
                $0.options.httpLog = .none
                $0.logFormat = nil  // the option's format replaces an earlier log-format
            }
        case "forwardfor":
            var ff = ProxyOptions.ForwardFor()
            var i = 2
            while i < args.count {
                switch args[i] {
                case "except", "header":
                    guard i + 1 < args.count, !args[i + 1].isEmpty else {
                        let what = args[i] == "except" ? "a network address" : "a header name"
                        throw KeywordError("'option forwardfor' '\(args[i])' requires \(what).")
                    }
                    if args[i] == "except" {
                        guard isNetwork(args[i + 1]) else {
                            throw KeywordError("'option forwardfor except' expects <address>[/mask] as argument.")
                        }
                        ff.except = args[i + 1]
                    } else {
                        ff.header = args[i + 1].lowercased()
                    }
                    i += 2
                case "if-none":
                    ff.ifNone = true
                    i += 1
                default:
                    throw KeywordError(
                        "'option forwardfor' only supports optional values: 'except', 'header' and 'if-none'.")
                }
            }
            ctx.withProxy { $0.options.forwardFor = ff }
        case "originalto":
            try parseOriginalToOption(args, &ctx)
        case "http-restrict-req-hdr-names":
            try parseRestrictHeaderNamesOption(args, &ctx)
        case "httpchk":
            try parseHTTPCheckOption(args, &ctx)
        case "tcp-check":
            try ctx.checkMaxArguments(args, 1, keyword: "option tcp-check")
            ctx.withProxy { $0.healthCheck.kind = .tcpCheck }
        case "mysql-check", "pgsql-check", "redis-check", "smtpchk", "ldap-check", "ssl-hello-chk":
            let check = try parseProtocolCheckOption(args)
            if ignored { return }
            ctx.withProxy {
                $0.healthCheck.kind = .protocolCheck
                $0.healthCheck.protocolCheck = check
            }
        default:
            throw KeywordError("unknown option '\(name)'.")
        }
    }

    /// The protocol check options, with 2.6's refusals of their arguments.
    static func parseProtocolCheckOption(_ args: [String]) throws -> HealthCheckConfig.ProtocolCheck {
        let name = args[1]
        func noMore(after count: Int) throws {
            if args.count > count {
                throw KeywordError("'option \(name)' cannot handle unexpected argument '\(args[count])'.")
            }
        }
        switch name {
        case "mysql-check":
            guard args.count > 2 else { return .mysql(user: nil, post41: true) }
            guard args[2] == "user" else {
                throw KeywordError("'option mysql-check' only supports optional values: 'user' (got '\(args[2])').")
            }
            guard args.count > 3, !args[3].isEmpty else {
                throw KeywordError("'option mysql-check user' expects <username> as argument.")
            }
            var post41 = true
            if args.count > 4 {
                switch args[4] {
                case "post-41": post41 = true
                case "pre-41": post41 = false
                default:
                    throw KeywordError("keyword 'user' only supports 'post-41' and 'pre-41' (got '\(args[4])').")
                }
            }
            try noMore(after: 5)
            return .mysql(user: args[3], post41: post41)
        case "pgsql-check":
            guard args.count > 3, args[2] == "user", !args[3].isEmpty else {
                throw KeywordError("'option pgsql-check' expects 'user <username>' as argument.")
            }
            try noMore(after: 4)
            return .pgsql(user: args[3])
        case "smtpchk":
            try noMore(after: 4)
            // Another verb, or a verb without a domain, keeps the default.
            if args.count > 3, args[2] == "HELO" || args[2] == "EHLO" {
                return .smtp(verb: args[2], domain: args[3])
            }
            return .smtp(verb: "HELO", domain: "localhost")
        case "redis-check":
            try noMore(after: 2)
            return .redis
        case "ldap-check":
            try noMore(after: 2)
            return .ldap
        default:
            try noMore(after: 2)
            return .sslHello
        }
    }

    /// `option httpchk [METH] [URI] [VER]`; a version holding `\r\n` hides
    /// extra header lines (deprecated, with HAProxy's warning).
    static func parseHTTPCheckOption(_ args: [String], _ ctx: inout ParseContext) throws {
        try ctx.checkMaxArguments(args, 4, keyword: "option httpchk")
        var check = ctx.proxy?.healthCheck ?? HealthCheckConfig()
        check.kind = .http
        switch args.count {
        case 3:
            check.httpURI = args[2]
        case 4...:
            check.httpMethod = args[2]
            check.httpURI = args[3]
            if args.count > 4 {
                var version = args[4]
                if let range = version.firstRange(of: "\r\n") {
                    ctx.diagnostics.warning(
                        "parsing [\(ctx.location)]: 'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.",
                        at: ctx.location)
                    let extra = String(version[range.upperBound...])
                    version = String(version[..<range.lowerBound])
                    for line in extra.split(separator: "\r\n") {
                        if let colon = line.firstIndex(of: ":") {
                            let value = line[line.index(after: colon)...].drop { $0 == " " }
                            check.httpHeaders.append((name: String(line[..<colon]), value: String(value)))
                        }
                    }
                }
                check.httpVersion = version
            }
        default:
            break
        }
        ctx.withProxy { $0.healthCheck = check }
    }

    /// `<address>[/mask]`: an IPv4 or IPv6 address, with a prefix length
    /// or (IPv4) a dotted mask.
    static func isNetwork(_ text: String) -> Bool {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var buffer = [UInt8](repeating: 0, count: 16)
        let v4 = inet_pton(AF_INET, parts[0], &buffer) == 1
        guard v4 || inet_pton(AF_INET6, parts[0], &buffer) == 1 else { return false }
        guard parts.count == 2 else { return true }
        if let n = Int(parts[1]) { return n >= 0 && n <= (v4 ? 32 : 128) }
        return v4 && inet_pton(AF_INET, parts[1], &buffer) == 1
    }
}
