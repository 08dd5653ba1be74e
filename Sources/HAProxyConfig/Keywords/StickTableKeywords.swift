import HAProxyRules
import HAProxyTables

/// `stick-table type ... size ... [expire] [nopurge] [store ...]` (manual
/// 4.2) in frontend, backend and listen sections: the table named after
/// its proxy. Messages are 2.6's, checked with `haproxy -c`; what 2.6 has
/// and this build does not (the `gpt`/`gpc`/`gpc_rate` arrays) is refused
/// by name. `peers <section>` shares the table with that `peers` section.
extension KeywordRegistry {
    static let stickTableKeywords: [ConfigKeyword] = [
        ConfigKeyword("stick-table", [.defaults, .frontend, .backend, .listen], parseStickTable),
        ConfigKeyword("stick", [.frontend, .backend, .listen], capability: .backend, parseStick),
    ]

    /// `stick on|match|store-request|store-response <pattern> [table <t>]
    /// [{if|unless} <cond>]`.
    static func parseStick(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        let kind: StickingRule.Kind
        switch args.count > 1 ? args[1] : "" {
        case "on": kind = .matchAndStore
        case "match": kind = .match
        case "store-request": kind = .store
        case "store-response": kind = .storeResponse
        default: throw KeywordError("'stick' expects 'on', 'match', or 'store'.")
        }
        guard args.count > 2, !args[2].isEmpty, args[2] != "if", args[2] != "unless", args[2] != "table" else {
            throw KeywordError("'stick' expects a fetch method.")
        }
        let pattern: SampleExpression
        do {
            pattern = try SampleExpression.parse(args[2])
        } catch let e as SampleParseError {
            throw KeywordError("'stick': \(e.message).")
        }
        let response = kind == .storeResponse
        if let source = pattern.missingSource(at: response ? .httpResponse : .httpRequest(inBackend: true)) {
            throw KeywordError(
                "'stick': fetch method '\(pattern.fetchName)' extracts information from '\(source.name)', none of which is available \(response ? "for 'store-response'" : "during request").")
        }
        var table = proxy.name
        var words = ArraySlice(args.dropFirst(3))
        while let word = words.first, word != "if", word != "unless" {
            guard word == "table" else { throw KeywordError("'stick': unknown keyword '\(word)'.") }
            words.removeFirst()
            table = words.popFirst() ?? ""
        }
        let condition = try ctx.parseRuleCondition(
            words, keyword: "'stick'", conditionContext: "a 'stick' condition")
        let rule = StickingRule(kind: kind, pattern: pattern, table: table, condition: condition)
        ctx.withProxy { $0.stickingRules.append(rule) }
    }

    static func parseStickTable(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        if proxy.isDefaults { throw KeywordError("'stick-table' is not supported in 'defaults' section.") }
        if let existing = proxy.stickTable {
            throw KeywordError(
                "stick-table name '\(proxy.name)' conflicts with table declared in \(proxy.sectionName) '\(proxy.name)' at \(existing.location).")
        }
        let parsed = try parseTableDefinition(args, name: proxy.name, prefix: "stick-table", &ctx)
        let location = ctx.location
        ctx.withProxy {
            $0.stickTable = StickTableConfig(definition: parsed.definition, location: location, peers: parsed.peers)
        }
    }

    /// The words of a `stick-table` line, or of a `table` line of a
    /// `peers` section (which has no `peers` argument): `prefix` starts
    /// the messages, as in 2.6.
    static func parseTableDefinition(
        _ args: [String], name: String, prefix: String, allowsPeers: Bool = true, _ ctx: inout ParseContext
    ) throws -> (definition: StickTableDefinition, peers: String?) {
        var peers: String?
        var keyType: StickKeyType?
        var size: Int?
        var expire: Int?
        var noPurge = false
        var stored: [(type: StickDataType, period: UInt64)] = []
        var i = 1
        while i < args.count {
            let word = args[i]
            switch word {
            case "type":
                let name = i + 1 < args.count ? args[i + 1] : ""
                i += 2
                var length = 32
                if name == "string" || name == "binary", i < args.count, args[i] == "len" {
                    let text = i + 1 < args.count ? args[i + 1] : ""
                    guard let n = Int(text), n > 0 else { throw KeywordError("\(prefix): unknown type '\(text)'.") }
                    length = n
                    i += 2
                }
                switch name {
                case "ip": keyType = .ip
                case "ipv6": keyType = .ipv6
                case "integer": keyType = .integer
                case "string": keyType = .string(length: length)
                case "binary": keyType = .binary(length: length)
                default: throw KeywordError("\(prefix): unknown type '\(name)'.")
                }
                continue
            case "size", "expire":
                guard i + 1 < args.count, !args[i + 1].isEmpty else {
                    throw KeywordError("\(prefix): missing argument after '\(word)'.")
                }
                if word == "size" {
                    switch SizeParser.parse(args[i + 1]) {
                    case .success(let v): size = Int(v)
                    case .failure(.unexpectedCharacter(let c)):
                        throw KeywordError("\(prefix): unexpected character '\(c)' in argument of 'size'.")
                    case .failure:
                        throw KeywordError("\(prefix): unexpected character '\(args[i + 1].first!)' in argument of 'size'.")
                    }
                } else {
                    switch DurationParser.parse(args[i + 1]) {
                    case .success(let v):
                        if let c = v.trailing {
                            throw KeywordError("\(prefix): unexpected character '\(c)' in argument of 'expire'.")
                        }
                        expire = v.milliseconds
                    case .failure(.unexpectedCharacter(let c)):
                        throw KeywordError("\(prefix): unexpected character '\(c)' in argument of 'expire'.")
                    case .failure:
                        throw KeywordError("\(prefix): timer overflow in argument of 'expire'.")
                    }
                }
                i += 2
            case "nopurge":
                noPurge = true
                i += 1
            case "peers" where allowsPeers:
                guard i + 1 < args.count, !args[i + 1].isEmpty else {
                    throw KeywordError("\(prefix): missing argument after 'peers'.")
                }
                peers = args[i + 1]
                i += 2
            case "store":
                if i + 1 < args.count {
                    for option in args[i + 1].split(separator: ",", omittingEmptySubsequences: true) {
                        try parseStoreOption(String(option), into: &stored, prefix: prefix, &ctx)
                    }
                }
                i += 2
            default:
                throw KeywordError("\(prefix): unknown argument '\(word)'.")
            }
        }
        guard let size, size > 0 else { throw KeywordError("\(prefix): missing size.") }
        guard let keyType else { throw KeywordError("\(prefix): missing type.") }
        let definition = StickTableDefinition(
            name: name, keyType: keyType, size: size, expire: expire, noPurge: noPurge, stored: stored)
        return (definition, peers)
    }

    /// One `store` option: `conn_cnt`, `http_req_rate(10s)`...
    static func parseStoreOption(
        _ option: String, into stored: inout [(type: StickDataType, period: UInt64)], prefix: String = "stick-table",
        _ ctx: inout ParseContext
    ) throws {
        var name = option
        var argument: String?
        if let open = option.firstIndex(of: "(") {
            name = String(option[..<open])
            var rest = option[option.index(after: open)...]
            if rest.hasSuffix(")") { rest = rest.dropLast() }
            argument = String(rest)
        }
        if ["gpt", "gpc", "gpc_rate"].contains(name) {
            throw KeywordError("\(prefix): store option '\(name)' is not supported by this build.")
        }
        guard let type = StickDataType(name: name) else {
            throw KeywordError("\(prefix): unknown store option '\(name)'.")
        }
        var period: UInt64 = 0
        if type.isRate {
            guard let argument, !argument.isEmpty else {
                throw KeywordError("\(prefix): missing argument to store option '\(name)'.")
            }
            guard case .success(let v) = DurationParser.parse(argument), v.trailing == nil, v.milliseconds > 0 else {
                throw KeywordError("\(prefix): error when processing store option '\(name)'.")
            }
            period = UInt64(v.milliseconds)
        } else if argument != nil {
            throw KeywordError("\(prefix): unexpected argument to store option '\(name)'.")
        }
        if stored.contains(where: { $0.type == type }) {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: \(prefix): store option '\(name)' already enabled, ignored.",
                at: ctx.location)
            return
        }
        stored.append((type, period))
    }
}
