import HAProxyTables

/// The `peers` section (manual 3.5) and the global `localpeer`: the
/// processes that share stick tables. Messages are 2.6's, checked with
/// `haproxy -c`.
extension KeywordRegistry {
    static let peersKeywords: [ConfigKeyword] = [
        ConfigKeyword("peer", .peers) { args, ctx in try parsePeer(args, serverForm: false, &ctx) },
        ConfigKeyword("server", .peers) { args, ctx in try parsePeer(args, serverForm: true, &ctx) },
        ConfigKeyword("bind", .peers, parsePeersBind),
        ConfigKeyword("table", .peers, parsePeersTable),
        ConfigKeyword("disabled", .peers) { _, ctx in try withPeers(&ctx) { section, _ in section.disabled = true } },
        ConfigKeyword("enabled", .peers) { _, ctx in try withPeers(&ctx) { section, _ in section.disabled = false } },
        ConfigKeyword("default-bind", .peers, refusedInPeers),
        ConfigKeyword("default-server", .peers, refusedInPeers),
        ConfigKeyword("log", .peers, refusedInPeers),
    ]

    /// `localpeer <name>`: the local peer name, unless `-L` gave one; it
    /// applies to the `peers` sections that follow it.
    static let peersGlobalKeywords: [ConfigKeyword] = [
        ConfigKeyword("localpeer", .global) { args, ctx in
            guard args.count > 1, !args[1].isEmpty else {
                throw KeywordError("'localpeer' expects a name as argument.")
            }
            if !ctx.localPeerFromCommandLine { ctx.config.localPeerName = args[1] }
        },
    ]

    static func refusedInPeers(_ args: [String], _ ctx: inout ParseContext) throws {
        throw KeywordError("'\(args[0])' in a 'peers' section is not supported by this build.")
    }

    static func withPeers(
        _ ctx: inout ParseContext, _ body: (inout PeersConfig, inout ParseContext) throws -> Void
    ) throws {
        guard let index = ctx.peersIndex else { return }
        var section = ctx.config.peers[index]
        try body(&section, &ctx)
        ctx.config.peers[index] = section
    }

    /// `<addr>:<port>` of a peer (IPv4 or IPv6 literal or host name
    /// resolved at start-up); `what` names the line as 2.6 does.
    private static func peerAddress(_ text: String, what: String) throws -> (host: String, port: Int) {
        let (host, portText) = try AddressParser.splitHostPort(text, original: text)
        guard let portText, !portText.isEmpty else {
            throw KeywordError("\(what) : missing or invalid port in '\(text)'", form: .bracketed)
        }
        if let bad = portText.first(where: { !($0.isASCII && $0.isNumber) }) {
            throw KeywordError("\(what) : invalid character '\(bad)' in port number '\(portText)' in '\(text)'", form: .bracketed)
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw KeywordError("\(what) : invalid port '\(portText)'", form: .bracketed)
        }
        guard ipAddressBytes(host) != nil else {
            throw KeywordError("\(what) : invalid address: '\(host)' in '\(text)'", form: .bracketed)
        }
        return (host, port)
    }

    /// `peer <name> <addr>:<port>` or `server <name> [<addr>:<port>]`.
    static func parsePeer(_ args: [String], serverForm: Bool, _ ctx: inout ParseContext) throws {
        guard let index = ctx.peersIndex else { return }
        var section = ctx.config.peers[index]
        defer { ctx.config.peers[index] = section }
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError("'\(args[0])' expects <name> and <addr>[:<port>] as arguments.")
        }
        let name = args[1]
        let isLocal = name == ctx.config.localPeerName
        let what = "'server \((isLocal ? name : section.localPeer?.name) ?? "(null)")/\(name)'"
        if !serverForm, section.bind != nil {
            throw KeywordError("mixing \"peer\" and \"bind\" line is forbidden")
        }
        if isLocal, let first = section.localPeer {
            throw KeywordError(
                "[\(first.location)] : parsing [\(ctx.location)] : '\(args[0]) \(name)' : local peer name already referenced at \(first.location). \(name)",
                form: .raw)
        }
        var host = "", port = 0
        if serverForm && isLocal {
            if args.count > 2 {
                throw KeywordError(
                    "\(what) : unknown keyword '\(args[2])'. Hint: no address was expected for this server.",
                    form: .bracketed)
            }
            guard let bind = section.bind else {
                throw KeywordError("\(what) : the local peer needs a 'bind' line before it.", form: .bracketed)
            }
            (host, port) = (bind.host, bind.port)
        } else {
            guard args.count > 2, !args[2].isEmpty else {
                throw KeywordError("'\(args[0])' expects <name> and <addr>[:<port>] as arguments.")
            }
            (host, port) = try peerAddress(args[2], what: what)
            if args.count > 3 {
                throw KeywordError(
                    "\(what) : '\(args[3])' on a peer is not supported by this build.", form: .bracketed)
            }
        }
        if let other = section.peers.first(where: { $0.name == name }) {
            throw KeywordError("peer '\(name)' is already defined at \(other.location).")
        }
        if !serverForm { section.usesPeerLines = true }
        section.peers.append(PeersConfig.Peer(name: name, host: host, port: port, location: ctx.location, isLocal: isLocal))
    }

    /// `bind <addr>:<port>`: where the local peer listens (`server` form).
    static func parsePeersBind(_ args: [String], _ ctx: inout ParseContext) throws {
        try withPeers(&ctx) { section, ctx in
            if let bind = section.bind {
                throw KeywordError(
                    "One listener per \"peers\" section is authorized but another is already configured at [\(bind.location)].")
            }
            if section.usesPeerLines { throw KeywordError("mixing \"peer\" and \"bind\" line is forbidden") }
            guard args.count > 1, !args[1].isEmpty else { throw KeywordError("'bind' expects <addr>:<port> as argument.") }
            let (host, portText) = try AddressParser.splitHostPort(args[1], original: args[1])
            guard let portText, let port = Int(portText), (1...65535).contains(port) else {
                throw KeywordError("missing port specification in '\(args[1])'")
            }
            let literal = host.isEmpty || host == "*" ? "0.0.0.0" : host
            guard ipAddressBytes(literal) != nil else {
                throw KeywordError("invalid address: '\(host)' in '\(args[1])'")
            }
            if args.count > 2 {
                throw KeywordError("'bind \(args[1])' : '\(args[2])' in a 'peers' section is not supported by this build.")
            }
            section.bind = (literal, port, ctx.location)
        }
    }

    /// `table <name> type ... size ...`: a table known as `<section>/<name>`.
    static func parsePeersTable(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let index = ctx.peersIndex else { return }
        guard args.count > 1, !args[1].isEmpty else { throw KeywordError("table: missing size.") }
        let sectionName = ctx.config.peers[index].name
        var words = args
        words.remove(at: 1)
        let parsed = try parseTableDefinition(
            words, name: "\(sectionName)/\(args[1])", prefix: "table", allowsPeers: false, &ctx)
        let location = ctx.location
        try withPeers(&ctx) { section, _ in
            if let other = section.tables.first(where: { $0.definition.name == parsed.definition.name }) {
                throw KeywordError("table '\(args[1])' is already declared at \(other.location).")
            }
            section.tables.append(StickTableConfig(definition: parsed.definition, location: location, peers: sectionName))
        }
    }
}

extension ConfigParser {
    /// `peers <name>`: names are unique among peers sections.
    func openPeers(_ words: [String], context: inout ParseContext) {
        let existing = context.config.peers
        let name = uniqueSectionName(words, kind: "peers", context: &context) { name in
            existing.first { $0.name == name }.map {
                "peers section '\(name)' has the same name as another peers section declared at \($0.location)."
            }
        }
        context.section = .peers
        guard let name else { return }
        context.peersIndex = context.config.peers.count
        context.config.peers.append(PeersConfig(name: name, location: context.location))
    }
}
