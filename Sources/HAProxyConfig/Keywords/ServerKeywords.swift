#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `server`, `default-server`, `server-template` and their options
/// (manual section 5.2).
extension KeywordRegistry {
    static let serverSectionKeywords: [ConfigKeyword] = [
        ConfigKeyword("server", .proxies) { args, ctx in try parseServer(args, &ctx, kind: .server) },
        ConfigKeyword("default-server", .proxies) { args, ctx in try parseServer(args, &ctx, kind: .defaultServer) },
        ConfigKeyword("server-template", .proxies) { args, ctx in try parseServer(args, &ctx, kind: .template) },
    ]

    static let serverOptions: [ServerKeyword] = [
        ServerKeyword("weight", arguments: 1) { a, o, s in
            let w = ParseContext.looseInteger(a[1])
            guard (0...256).contains(w) else {
                throw KeywordError("weight of server \(s?.name ?? "") is not within 0 and 256 (\(w)).")
            }
            o.weight = w
        },
        ServerKeyword("backup") { _, o, _ in o.backup = true },
        ServerKeyword("cookie", arguments: 1) { a, o, _ in o.cookie = a[1] },
        ServerKeyword("disabled") { _, o, _ in o.disabled = true },
        ServerKeyword("enabled") { _, o, _ in o.disabled = false },
        ServerKeyword("maxconn", arguments: 1) { a, o, _ in o.maxconn = ParseContext.looseInteger(a[1]) },
        ServerKeyword("maxqueue", arguments: 1) { a, o, _ in o.maxqueue = ParseContext.looseInteger(a[1]) },
        ServerKeyword("check") { _, o, _ in o.check = true },
        ServerKeyword("no-check") { _, o, _ in o.check = false },
        ServerKeyword("inter", arguments: 1) { a, o, s in o.interMs = try serverTime(a, s, label: "agent-inter") },
        ServerKeyword("fastinter", arguments: 1) { a, o, s in o.fastinterMs = try serverTime(a, s, label: "fastinter") },
        ServerKeyword("downinter", arguments: 1) { a, o, s in o.downinterMs = try serverTime(a, s, label: "downinter") },
        ServerKeyword("rise", arguments: 1) { a, o, _ in
            let v = ParseContext.looseInteger(a[1])
            guard v > 0 else { throw KeywordError("'rise' has to be > 0.") }
            o.rise = v
        },
        ServerKeyword("fall", arguments: 1) { a, o, _ in
            let v = ParseContext.looseInteger(a[1])
            guard v > 0 else { throw KeywordError("'fall' has to be > 0.") }
            o.fall = v
        },
        ServerKeyword("port", arguments: 1) { a, o, _ in
            guard let p = Int(a[1]), (1...65535).contains(p) else {
                throw KeywordError("'port' expects a port number as argument.")
            }
            o.checkPort = p
        },
        ServerKeyword("track", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'track' expects [<proxy>/]<server> as argument.") }
            o.track = a[1]
        },
        ServerKeyword("addr", arguments: 1) { a, o, _ in o.checkAddr = a[1] },
        // Agent checks run in HAProxyCore's `AgentChecker`.
        ServerKeyword("agent-check") { _, o, _ in o.agentCheck = true },
        ServerKeyword("no-agent-check") { _, o, _ in o.agentCheck = false },
        // 2.6 reads the port with atol: junk is 0, which the agent check refuses below.
        ServerKeyword("agent-port", arguments: 1) { a, o, _ in o.agentPort = ParseContext.looseInteger(a[1]) & 0xFFFF },
        ServerKeyword("agent-inter", arguments: 1) { a, o, s in o.agentInterMs = try serverTime(a, s, label: "agent-inter") },
        // Performed by the runtime when a check (or a tracked server) takes it down.
        ServerKeyword("on-marked-down", arguments: 1) { a, o, _ in
            guard a[1] == "shutdown-sessions" else {
                throw KeywordError("'on-marked-down' expects 'shutdown-sessions' but got '\(a[1])'")
            }
            o.shutdownSessionsWhenDown = true
        },
        // Applied by the runtime's `Server` when a check brings it back up.
        ServerKeyword("slowstart", arguments: 1) { a, o, s in o.slowstartMs = try slowstartTime(a, s) },
        ServerKeyword("agent-send", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'agent-send' expects a string as argument.") }
            o.agentSend = a[1]
        },
        // A host name is resolved once, while parsing, as 2.6 does.
        ServerKeyword("agent-addr", arguments: 1) { a, o, _ in
            guard let ip = isIPAddress(a[1]) ? a[1] : resolveOnce(a[1]) else {
                throw KeywordError("parsing agent-addr failed. Check if '\(a[1])' is correct address.")
            }
            o.agentAddr = ip
        },
        // Read as atol reads it into an int, as 2.6 does ("abc" is 0).
        ServerKeyword("pool-max-conn", arguments: 1) { a, o, _ in
            guard !a[1].isEmpty else { throw KeywordError("'pool-max-conn' expects <value> as argument.") }
            let v = Int(Int32(truncatingIfNeeded: ParseContext.looseInteger(a[1])))
            guard v >= -1 else { throw KeywordError("'pool-max-conn' must be >= -1") }
            o.poolMaxConn = v
        },
        ServerKeyword("send-proxy") { _, o, _ in o.sendProxy = true },
        ServerKeyword("send-proxy-v2") { _, o, _ in o.sendProxyV2 = true },
        ServerKeyword("no-send-proxy") { _, o, _ in o.sendProxy = false },
        ServerKeyword("no-send-proxy-v2") { _, o, _ in o.sendProxyV2 = false },
        ServerKeyword("id", arguments: 1) { a, _, s in
            guard s != nil else { throw KeywordError("'id' is not supported for default servers.") }
            guard let v = Int(a[1]), v > 0 else { throw KeywordError("custom id has to be > 0.") }
            s?.id = v
        },
    ]

    /// Server options of HAProxy 2.6 this build does not implement.
    static let unsupportedServerOptions: [String] = [
        "allow-0rtt", "check-alpn",
        "check-proto", "check-send-proxy", "check-via-socks4",
        "error-limit", "log-proto", "max-reuse", "namespace", "no-backup",
        "no-verifyhost", "non-stick", "npn", "observe", "pool-low-conn",
        "pool-purge-delay", "proto", "proxy-v2-options", "redir", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn", "shard", "sigalgs", "client-sigalgs", "socks4",
        "stick", "tcp-ut", "tfo", "usesrc", "verifyhost",
        "ws", "set-proxy-v2-tlv-fmt",
    ]

    enum ServerLineKind { case server, defaultServer, template }

    static func parseServer(_ args: [String], _ ctx: inout ParseContext, kind: ServerLineKind) throws {
        let keyword = args[0]
        guard let proxy = ctx.proxy else { return }
        let loc = ctx.location
        if kind != .defaultServer && proxy.isDefaults {
            throw KeywordError("'\(keyword)' not allowed in 'defaults' section.", form: .bracketed)
        }
        if !proxy.isDefaults && !proxy.capabilities.contains(.backend) {
            throw KeywordError(
                "parsing [\(loc)] : '\(keyword)' not allowed because \(proxy.sectionName) '\(proxy.name)' has no backend capability.",
                form: .bracketed)
        }
        var options = proxy.defaultServer
        var firstOption = 1
        var server: ServerConfig?
        var templateRange: ClosedRange<Int>?
        switch kind {
        case .defaultServer:
            break
        case .server:
            guard args.count >= 3 else {
                throw KeywordError("'server' expects <name> and <addr>[:<port>] as arguments.", form: .bracketed)
            }
            var s = ServerConfig(name: args[1], host: "", port: nil, location: loc)
            do {
                try AddressParser.server(args[2], environment: ctx.environment, into: &s)
            } catch let error as KeywordError {
                throw KeywordError("'server \(proxy.name)/\(args[1])' : \(error.message)", form: .bracketed)
            }
            server = s
            firstOption = 3
        case .template:
            guard args.count >= 4 else {
                throw KeywordError(
                    "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.", form: .bracketed)
            }
            let bounds = args[2].split(separator: "-", maxSplits: 1).map { Int($0) }
            if bounds.count == 1, let n = bounds[0], n > 0 {
                templateRange = 1...n
            } else if bounds.count == 2, let lo = bounds[0], let hi = bounds[1], lo > 0, lo <= hi {
                templateRange = lo...hi
            } else {
                throw KeywordError(
                    "'server-template \(proxy.name)/\(args[1])' : Invalid range '\(args[2])'.", form: .bracketed)
            }
            var s = ServerConfig(name: args[1], host: "", port: nil, location: loc)
            do {
                try AddressParser.server(args[3], environment: ctx.environment, into: &s)
            } catch let error as KeywordError {
                throw KeywordError("'server-template \(proxy.name)/\(args[1])' : \(error.message)", form: .bracketed)
            }
            server = s
            firstOption = 4
        }
        let label =
            kind == .defaultServer ? "'default-server'" : "'\(keyword) \(proxy.name)/\(args[1])'"
        var i = firstOption
        while i < args.count {
            let name = args[i]
            guard let option = KeywordRegistry.shared.server[name] else {
                if unsupportedServerOptions.contains(name) || HAProxy26Keywords.serverOptions.contains(name) {
                    throw KeywordError("\(label) : '\(name)' option is not supported by this build.", form: .bracketed)
                }
                var message = "\(label) : unknown keyword '\(name)'"
                if let best = KeywordSuggestion.bestMatch(
                    for: name, among: Array(KeywordRegistry.shared.server.keys) + unsupportedServerOptions)
                {
                    message += "; did you mean '\(best)' maybe ?"
                }
                throw KeywordError(message, form: .bracketed)
            }
            // A missing value reaches the handler as "", which words the error.
            var optionArgs = Array(args[i..<min(args.count, i + 1 + option.argumentCount)])
            while optionArgs.count < 1 + option.argumentCount { optionArgs.append("") }
            do {
                try option.handler(optionArgs, &options, &server)
            } catch let error as KeywordError {
                throw KeywordError("\(label) : \(error.message).", form: .bracketed)
            }
            i += 1 + option.argumentCount
        }
        if let s = server, options.agentCheck, options.agentPort == 0 {
            throw KeywordError("\(label) : server \(s.name) does not have agent port. Agent check has been disabled.", form: .bracketed)
        }
        if server != nil, options.check, options.track != nil {
            throw KeywordError("\(label) : unable to enable checks and tracking at the same time!", form: .bracketed)
        }
        if options.tls.enabled || options.tls.checkSSL == true {
            try prepareTLS(&options.tls, label: label, &ctx)
        }
        if let id = server?.id, let other = proxy.servers.first(where: { $0.id == id }) {
            throw KeywordError(
                "\(label) : 'id' : custom id \(id) already used at \(other.location) ('server \(other.name)').",
                form: .bracketed)
        }
        ctx.withProxy { proxy in
            switch kind {
            case .defaultServer:
                proxy.defaultServer = options
            case .server:
                guard var s = server else { return }
                s.options = options
                proxy.servers.append(s)
            case .template:
                guard let s = server, let range = templateRange else { return }
                for n in range {
                    var instance = s
                    instance.name = "\(s.name)\(n)"
                    instance.options = options
                    proxy.servers.append(instance)
                }
            }
        }
    }

    /// Paths made absolute with `ca-base`/`crt-base`, the
    /// `ssl-default-server-*` globals applied, and the files read (as 2.6
    /// reads them while parsing the line).
    private static func prepareTLS(_ tls: inout TLSServerConfig, label: String, _ ctx: inout ParseContext) throws {
        let global = ctx.config.global
        if let file = tls.caFile {
            let path = resolve(file, base: global.caBase)
            tls.caFile = path
            if let loader = ctx.tlsFiles, let error = loader.loadCAFile(at: path) {
                ctx.diagnostics.alert("[\(ctx.location)] : \(label) : \(error)", at: ctx.location)
                throw KeywordError("'ca-file' : unable to load \(path).", form: .raw)
            }
        }
        if let file = tls.crlFile {
            let path = resolve(file, base: global.caBase)
            tls.crlFile = path
            if let loader = ctx.tlsFiles, let error = loader.loadCRLFile(at: path) {
                ctx.diagnostics.alert("[\(ctx.location)] : \(label) : \(error)", at: ctx.location)
                throw KeywordError("'crl-file' : unable to load \(path).", form: .raw)
            }
        }
        if let file = tls.certificate {
            let path = resolve(file, base: global.crtBase)
            tls.certificate = path
            if let loader = ctx.tlsFiles, let error = loader.loadCertificates(at: path) {
                throw KeywordError("\(label) : \(error)", form: .bracketed)
            }
        }
        if tls.common.ciphers == nil { tls.common.ciphers = global.tls.serverCiphers }
        if tls.common.ciphersuites == nil { tls.common.ciphersuites = global.tls.serverCiphersuites }
        tls.common.versions.inherit(global.tls.serverOptions.versions)
        if global.tls.serverOptions.noTLSTickets { tls.common.noTLSTickets = true }
    }

    /// An IPv4 or IPv6 address (`agent-addr`).
    private static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    /// The first IPv4 (else IPv6) address of `host`, from the system's resolver.
    private static func resolveOnce(_ host: String) -> String? {
        for family in [AF_INET, AF_INET6] {
            var hints = addrinfo()
            hints.ai_family = family
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { continue }
            defer { freeaddrinfo(list) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let ok: Bool
            if family == AF_INET {
                ok = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    return inet_ntop(AF_INET, &addr, &text, socklen_t(text.count)) != nil
                }
            } else {
                ok = first.pointee.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count)) != nil
                }
            }
            if ok { return String(cString: text) }
        }
        return nil
    }

    /// `slowstart <time>`: 0 is allowed (no ramp); 2.6's words for its
    /// errors, a missing value's cut short at the character it names.
    private static func slowstartTime(_ a: [String], _ s: ServerConfig?) throws -> Int {
        switch DurationParser.parse(a[1]) {
        case .success(let v):
            return v.milliseconds
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("unexpected character '\(c)' in 'slowstart' argument of server \(s?.name ?? "").")
        case .failure(.empty):
            throw KeywordError("unexpected character '")
        case .failure(.overflow):
            throw KeywordError(
                "overflow in argument <\(a[1])> to <slowstart> of server \(s?.name ?? ""), maximum value is 2147483647 ms (~24.8 days).")
        }
    }

    private static func serverTime(_ a: [String], _ s: ServerConfig?, label: String) throws -> Int {
        switch DurationParser.parse(a[1]) {
        case .success(let v):
            guard v.milliseconds > 0 else {
                throw KeywordError("invalid value \(a[1]) for argument '\(a[0])' of server \(s?.name ?? "").")
            }
            return v.milliseconds
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("unexpected character '\(c)' in '\(label)' argument of server \(s?.name ?? "").")
        case .failure(.empty):
            throw KeywordError("'\(a[0])' expects an argument.")
        case .failure(.overflow):
            throw KeywordError(
                "timer overflow in argument <\(a[1])> to <\(a[0])> of server \(s?.name ?? ""), maximum value is 2147483647 ms (~24.8 days).")
        }
    }
}
