import HAProxyRules
import HAProxyTables

/// `stick-table type ... size ... [expire] [nopurge] [store ...]` (manual
/// 4.2) in frontend, backend and listen sections: the table named after
/// its proxy. Messages are 2.6's, checked with `haproxy -c`; what 2.6 has
/// and this build does not is refused by name. `peers <section>` shares
/// the table with that `peers` section.
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
        var arrayLengths: [StickDataType: Int] = [:]
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
                    try parseStoreList(args[i + 1], into: &stored, &arrayLengths, prefix: prefix, &ctx)
                }
                i += 2
            default:
                throw KeywordError("\(prefix): unknown argument '\(word)'.")
            }
        }
        guard let size, size > 0 else { throw KeywordError("\(prefix): missing size.") }
        guard let keyType else { throw KeywordError("\(prefix): missing type.") }
        let definition = StickTableDefinition(
            name: name, keyType: keyType, size: size, expire: expire, noPurge: noPurge, stored: stored,
            arrayLengths: arrayLengths)
        return (definition, peers)
    }

    /// A `store` list: options separated by commas, those inside an
    /// option's parentheses (`gpc_rate(2,10s)`) excepted. 2.6 refuses the
    /// arrays together with the legacy types they replace.
    static func parseStoreList(
        _ text: String, into stored: inout [(type: StickDataType, period: UInt64)],
        _ arrayLengths: inout [StickDataType: Int], prefix: String = "stick-table", _ ctx: inout ParseContext
    ) throws {
        var option = ""
        var depth = 0
        for c in text {
            if c == ",", depth == 0 {
                if !option.isEmpty { try parseStoreOption(option, into: &stored, &arrayLengths, prefix: prefix, &ctx) }
                option = ""
                continue
            }
            if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) }
            option.append(c)
        }
        if !option.isEmpty { try parseStoreOption(option, into: &stored, &arrayLengths, prefix: prefix, &ctx) }
        let types = Set(stored.map(\.type))
        if types.contains(.gpc), types.contains(.gpc0) || types.contains(.gpc1) {
            throw KeywordError(
                "\(prefix): simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overrides 'gpc[0/1]'.")
        }
        if types.contains(.gpcRate), types.contains(.gpc0Rate) || types.contains(.gpc1Rate) {
            throw KeywordError(
                "\(prefix): simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overrides 'gpc[0/1]_rate'.")
        }
        if types.contains(.gpt), types.contains(.gpt0) {
            throw KeywordError(
                "\(prefix): simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overrides 'gpt0'.")
        }
    }

    /// One `store` option: `conn_cnt`, `http_req_rate(10s)`, `gpc(3)`,
    /// `gpc_rate(3,10s)`. As in 2.6, what follows the closing parenthesis
    /// is ignored, an array's length is read as `atoi` reads it, and a
    /// period may be followed by a comma and more.
    static func parseStoreOption(
        _ option: String, into stored: inout [(type: StickDataType, period: UInt64)],
        _ arrayLengths: inout [StickDataType: Int], prefix: String = "stick-table", _ ctx: inout ParseContext
    ) throws {
        var name = option
        var argument: String?
        if let open = option.firstIndex(of: "(") {
            name = String(option[..<open])
            let rest = option[option.index(after: open)...]
            guard let close = rest.firstIndex(of: ")") else {
                guard StickDataType(name: name) != nil else {
                    throw KeywordError("\(prefix): unknown store option '\(name)'.")
                }
                throw KeywordError("\(prefix): missing closing parenthesis after store option '\(name)'.")
            }
            argument = String(rest[..<close])
        }
        guard let type = StickDataType(name: name) else {
            throw KeywordError("\(prefix): unknown store option '\(name)'.")
        }
        var period: UInt64 = 0
        var length = 1
        if type.isArray {
            guard var argument else { throw KeywordError("\(prefix): missing argument to store option '\(name)'.") }
            let digits = argument.drop { $0 == "+" || $0 == "-" }.prefix { $0.isASCII && $0.isNumber }
            length = (argument.first == "-" ? -1 : 1) * (Int(digits.prefix(9)) ?? 0)
            guard length >= 1, length <= StickDataType.maxArrayLength else {
                throw KeywordError("\(prefix): array size is out of allowed range (1-\(StickDataType.maxArrayLength)) for store option '\(name)'.")
            }
            let comma = argument.firstIndex(of: ",")
            if !type.isRate {
                if comma != nil { throw KeywordError("\(prefix): unexpected argument to store option '\(name)'.") }
            } else {
                guard let comma else { throw KeywordError("\(prefix): missing argument to store option '\(name)'.") }
                argument = String(argument[argument.index(after: comma)...])
                period = try storePeriod(argument, name, prefix)
            }
        } else if type.isRate {
            guard let argument else { throw KeywordError("\(prefix): missing argument to store option '\(name)'.") }
            period = try storePeriod(argument, name, prefix)
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
        if type.isArray { arrayLengths[type] = length }
    }

    /// A rate's period in milliseconds (`10s`; 2.6 takes 0, and ignores a
    /// comma and what follows).
    private static func storePeriod(_ text: String, _ name: String, _ prefix: String) throws -> UInt64 {
        guard case .success(let v) = DurationParser.parse(text), v.trailing == nil || v.trailing == "," else {
            throw KeywordError("\(prefix): error when processing store option '\(name)'.")
        }
        return UInt64(v.milliseconds)
    }
}
