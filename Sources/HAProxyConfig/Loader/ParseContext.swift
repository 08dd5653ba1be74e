import HAProxyRules
/// The state a keyword handler reads and changes: the configuration being
/// built, the section in progress, the environment (which `setenv` and
/// friends change for the lines that follow) and the diagnostics.
struct ParseContext {
    enum Section: Equatable {
        case none
        case global
        /// A defaults, frontend, backend or listen section (`proxy` holds it).
        case proxy
        /// A section this build refuses (its lines are skipped).
        case unsupported(String)
        /// A proxy section whose header was refused: its lines are reported.
        case broken
        /// An `http-errors` section (`config.httpErrors[index]`; nil for
        /// a duplicate name, whose lines are checked and dropped).
        case httpErrors(Int?)
        /// A `userlist` section: `userlistIndex` names it in
        /// `config.userlists` (nil when its header was refused).
        case userlist
        /// A `resolvers` section: `resolversIndex` names it in
        /// `config.resolvers` (nil when its header was refused).
        case resolvers
        /// A `peers` section: `peersIndex` names it in `config.peers`
        /// (nil when its header was refused).
        case peers
    }

    var config = Configuration()
    var environment: [String: String]
    var diagnostics = Diagnostics()
    var location = SourceLocation(file: "", line: 0)
    var section: Section = .none
    /// The proxy or defaults section being parsed.
    var proxy: ProxyConfig?
    /// The `userlist` section being parsed, in `config.userlists`.
    var userlistIndex: Int?
    /// The `resolvers` section being parsed, in `config.resolvers`.
    var resolversIndex: Int?
    /// The `peers` section being parsed, in `config.peers`.
    var peersIndex: Int?
    /// `-L` named the local peer (the global `localpeer` is then ignored).
    var localPeerFromCommandLine = false
    /// Set when the line started with `no` (only `option` and `log` accept it).
    var negated = false
    /// Global keywords that may appear only once and were seen.
    var seenGlobalKeywords: Set<String> = []
    /// The defaults section new proxies copy: the last one parsed.
    var defaultsInForce: ProxyConfig?
    var namedDefaults: [String: ProxyConfig] = [:]
    /// Named defaults sections used through `from` / implicitly (as the last one).
    var explicitlyReferencedDefaults: Set<String> = []
    var implicitlyUsedDefaults: Set<String> = []
    /// Who inherits the rules of each named defaults section (frontends or
    /// backends: 2.6 refuses both).
    var rulesDefaultsUsers: [String: ProxyCapabilities] = [:]
    /// Where `option httplog` was set in each proxy (keyed by the proxy's
    /// header location), for the post-parse warning in TCP mode.
    var httpLogLocations: [SourceLocation: SourceLocation] = [:]
    /// Declared frontend/backend/listen names, for the duplicate check.
    var declaredProxies: [(name: String, section: String, capabilities: ProxyCapabilities, location: SourceLocation)] = []
    /// Reads `crt` and `ca-file` files as their lines are parsed (nil: later).
    var tlsFiles: (any TLSFileLoading)?

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// The section name HAProxy uses in messages.
    var sectionName: String {
        switch section {
        case .none: return ""
        case .global: return "global"
        case .proxy: return proxy?.sectionName ?? ""
        case .unsupported(let name): return name
        case .broken: return ""
        case .httpErrors: return "http-errors"
        case .userlist: return "users"
        case .resolvers: return "resolvers"
        case .peers: return "peers"
        }
    }

    var sectionKind: SectionKinds {
        switch section {
        case .global: return .global
        case .proxy:
            guard let p = proxy else { return [] }
            if p.isDefaults { return .defaults }
            switch p.capabilities {
            case .listen: return .listen
            case .frontend: return .frontend
            default: return .backend
            }
        case .userlist: return .userlist
        case .resolvers: return .resolvers
        case .peers: return .peers
        default: return []
        }
    }

    mutating func warning(_ message: String) {
        diagnostics.warning("parsing [\(location)] : \(message)", at: location)
    }

    mutating func alert(_ message: String) {
        diagnostics.alert("parsing [\(location)] : \(message)", at: location)
    }

    /// Records a keyword that this build accepts but that changes nothing.
    mutating func acceptWithoutEffect(_ keyword: String) {
        config.global.acceptedWithoutEffect.append((keyword: keyword, location: location))
    }

    /// Reads the proxy being parsed, changes it, writes it back.
    mutating func withProxy(_ body: (inout ProxyConfig) throws -> Void) rethrows {
        guard var p = proxy else { return }
        proxy = nil  // keep `p` uniquely referenced so its arrays grow in place
        defer { proxy = p }
        try body(&p)
    }
}

extension ParseContext {
    /// `'KW' cannot handle unexpected argument 'X'.` when more than `max` arguments follow.
    func checkMaxArguments(_ args: [String], _ max: Int, keyword: String? = nil) throws {
        if args.count > max + 1 {
            throw KeywordError("'\(keyword ?? args[0])' cannot handle unexpected argument '\(args[max + 1])'.")
        }
    }

    /// HAProxy's `atol`-like integer reading: leading digits, 0 otherwise.
    static func looseInteger(_ s: String) -> Int {
        var sign = 1
        var t = Substring(s)
        if t.first == "-" {
            sign = -1
            t = t.dropFirst()
        } else if t.first == "+" {
            t = t.dropFirst()
        }
        return sign * (Int(t.prefix { $0.isASCII && $0.isNumber }.prefix(18)) ?? 0)
    }

    /// Parses a time argument for `keyword`, throwing HAProxy's message.
    mutating func duration(_ text: String?, keyword: String, defaultUnitMs: Int = 1) throws -> Int {
        switch DurationParser.parse(text ?? "", defaultUnitMs: defaultUnitMs) {
        case .success(let v):
            if let c = v.trailing {
                diagnostics.warning(DurationParser.trailingWarning(c, argument: text ?? ""), at: location)
            }
            return v.milliseconds
        case .failure(let f):
            throw KeywordError(DurationParser.message(f, argument: text ?? "", keyword: keyword))
        }
    }
}

extension ParseContext {
    /// The `if`/`unless` condition ending a rule line (manual 7.2), nil
    /// when the line has none. `keyword` names the rule in the message for
    /// a stray word, `conditionContext` in the message for a bad condition
    /// (`error detected while parsing <context> : ...`).
    mutating func parseRuleCondition(_ words: ArraySlice<String>, keyword: String, conditionContext: String) throws -> Condition? {
        guard let first = words.first else { return nil }
        guard first == "if" || first == "unless" else {
            throw KeywordError(
                "\(keyword) expects either 'if' or 'unless' followed by a condition but found '\(first)'.",
                form: .parsingTight, abort: true)
        }
        do {
            let condition = try Condition.parse(words, acls: proxy?.acls ?? ACLTable())
            for term in condition.anonymousTerms {
                recordUserlistReference(of: term, acl: "")
                recordStickTableReferences(of: term)
            }
            return condition
        } catch let error as ACLParseError {
            let message = error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
            throw KeywordError("error detected while parsing \(conditionContext) : \(message).", abort: true)
        }
    }
}

extension ParseContext {
    /// 2.6's warnings for the operands of a rule's condition whose fetches
    /// find nothing where the rule runs: `target` is the rule set as 2.6
    /// names it (`'frontend http-response header rule'`); `ruleName` the
    /// set a TCP rule names too (`tcp-request content`), nil for HTTP
    /// rules, which 2.6 words without it.
    mutating func warnUnusableOperands(
        _ condition: Condition, at stage: SampleStage, target: String, ruleName: String?
    ) {
        let within = ruleName.map { " in '\($0)'" } ?? ""
        for (name, fetch, all) in condition.unusableOperands(at: stage) {
            if let name {
                warning(all
                    ? "acl '\(name)' will never match\(within) because it only involves keywords that are incompatible with \(target)"
                    : "acl '\(name)' involves \(ruleName == nil ? "keywords" : "keyword") '\(fetch)' which is incompatible with \(target)")
            } else {
                warning("anonymous acl will never match\(within) because it uses keyword '\(fetch)' which is incompatible with \(target)")
            }
        }
    }

    /// Records the userlist an ACL test names (`http_auth(L)`), for the
    /// check after parsing. 2.6 names an `http_auth_group` ACL keyword ''.
    mutating func recordUserlistReference(of term: ACLTerm, acl: String) {
        guard let (fetch, userlist) = term.userlistArgument else { return }
        let keyword = term.groupMatch == nil ? fetch : ""
        let reference = UserlistReference(
            userlist: userlist, location: location, origin: "ACL keyword '\(keyword)'",
            groupCheck: term.groupMatch.map { (acl: acl, groups: $0.groups) })
        withProxy { $0.userlistReferences.append(reference) }
    }

    /// Records the stick tables an ACL test names.
    mutating func recordStickTableReferences(of term: ACLTerm) {
        guard let proxy else { return }
        recordStickTableReferences(
            term.stickTableReferences(defaultTable: proxy.name), fetch: term.fetchName, within: { "ACL keyword '\($0)'" })
    }

    /// Records the stick tables the expressions of a rule name.
    mutating func recordStickTableReferences(of expressions: [SampleExpression], ruleSet: String) {
        guard let proxy else { return }
        for expression in expressions {
            recordStickTableReferences(
                expression.stickTableReferences(defaultTable: proxy.name), fetch: expression.fetchName,
                within: { "sample fetch keyword '\($0)' in \(ruleSet) expression" })
        }
    }

    /// `within` words a fetch by its name.
    private mutating func recordStickTableReferences(
        _ references: [SampleExpression.StickTableReference], fetch: String, within: (String) -> String
    ) {
        let location = self.location
        for reference in references {
            let origin = reference.isConverter
                ? "arg \(reference.argument) of conversion keyword '\(reference.keyword)' for \(within(fetch))"
                : "arg \(reference.argument) of \(within(reference.keyword))"
            withProxy {
                $0.stickTableReferences.append(
                    StickTableReference(
                        table: reference.table, origin: origin, location: location,
                        isFrontend: reference.isFrontend))
            }
        }
    }

    /// Records the userlists the expressions of a rule name.
    mutating func recordUserlistReferences(of expressions: [SampleExpression], ruleSet: String) {
        for expression in expressions {
            guard case .userlist(let userlist)? = expression.fetchArguments.first else { continue }
            let reference = UserlistReference(
                userlist: userlist, location: location,
                origin: "sample fetch keyword '\(expression.fetchName)' in \(ruleSet) expression")
            withProxy { $0.userlistReferences.append(reference) }
        }
    }
}
