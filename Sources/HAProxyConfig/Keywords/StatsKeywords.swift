import HAProxyRules

/// `stats <keyword>` in proxies (manual 4.2): the statistics page. Every
/// keyword but `admin` and `http-request` turns the page on; `show-modules`
/// and the proxies' `bind-process` of older versions are refused as 2.6
/// refuses unknown ones, with its own wording.
extension KeywordRegistry {
    static let statsKeywords: [ConfigKeyword] = [
        ConfigKeyword("stats", .proxies, parseProxyStats),
    ]

    /// What 2.6 lists after an unknown or missing `stats` keyword.
    private static let statsExpected =
        "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."

    static func parseProxyStats(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        guard args.count > 1, !args[1].isEmpty else {
            throw KeywordError("missing keyword in 'stats', \(statsExpected)", form: .parsingTight)
        }
        let argument = args.count > 2 ? args[2] : ""
        var page = proxy.statsPage ?? StatsPageConfig()
        switch args[1] {
        case "admin":
            if proxy.isDefaults {
                throw KeywordError("'stats admin' not allowed in 'defaults' section.", form: .parsingTight)
            }
            guard argument == "if" || argument == "unless" else {
                throw KeywordError("'stats admin' requires either 'if' or 'unless' followed by a condition.")
            }
            page.adminCondition = try ctx.parseRuleCondition(
                ArraySlice(args.dropFirst(2)), keyword: "'stats admin'", conditionContext: "a 'stats admin' rule")
        case "http-request":
            if proxy.isDefaults {
                throw KeywordError("'stats' not allowed in 'defaults' section.", form: .parsingTight)
            }
            try parseStatsRule(args, proxy: proxy, &page, &ctx)
        case "uri":
            guard !argument.isEmpty else { throw KeywordError("'uri' needs an URI prefix.") }
            page.uri = argument
        case "realm":
            guard !argument.isEmpty else { throw KeywordError("'realm' needs an realm name.") }
            page.realm = argument
        case "auth":
            guard !argument.isEmpty else { throw KeywordError("'auth' needs a user:password account.") }
            // The user is what comes before the first colon; without one
            // the account has an empty password.
            if let colon = argument.firstIndex(of: ":") {
                page.accounts.append(.init(user: String(argument[..<colon]),
                                           password: String(argument[argument.index(after: colon)...])))
            } else {
                page.accounts.append(.init(user: argument, password: ""))
            }
        case "refresh":
            page.refreshSeconds = try statsRefresh(argument)
        case "scope":
            guard !argument.isEmpty else { throw KeywordError("'scope' needs a proxy name.") }
            page.scopes.append(argument)
        case "enable":
            break
        case "hide-version":
            page.hideVersion = true
        case "show-legends":
            page.showLegends = true
        case "show-node":
            if !argument.isEmpty, argument.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_")) }) {
                throw KeywordError(
                    "'stats show-node' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_).",
                    form: .parsingTight)
            }
            page.showNode = argument
        case "show-desc":
            let description = args.dropFirst(2).joined(separator: " ")
            if description.isEmpty && (ctx.config.global.description ?? "").isEmpty {
                ctx.diagnostics.warning(
                    "parsing [\(ctx.location)]: 'show-desc' requires a parameter or 'desc' to be set in the global section.",
                    at: ctx.location)
            }
            page.showDescription = description
        case "show-modules":
            throw KeywordError("'stats show-modules' is not supported by this build (no statistics modules).")
        default:
            throw KeywordError("unknown stats parameter '\(args[1])', \(statsExpected)", form: .parsingTight)
        }
        ctx.withProxy { $0.statsPage = page }
    }

    /// `stats refresh <delay>`: seconds unless a unit is given.
    private static func statsRefresh(_ text: String) throws -> Int {
        switch DurationParser.parse(text, defaultUnitMs: 1000) {
        case .success(let value):
            return value.milliseconds / 1000
        case .failure(.overflow):
            throw KeywordError(
                "timer overflow in argument <\(text)> to stats refresh interval, maximum value is 2147483647 s (~68 years).",
                form: .parsingTight)
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("unexpected character '\(c)' in argument to stats refresh interval.", form: .parsingTight)
        case .failure(.empty):
            throw KeywordError("unexpected character '' in argument to stats refresh interval.", form: .parsingTight)
        }
    }

    /// `stats http-request allow|deny|auth [realm R] [if|unless COND]`:
    /// read as an `http-request` rule; the other actions 2.6 parses there
    /// do nothing on its page and are refused here.
    private static func parseStatsRule(
        _ args: [String], proxy: ProxyConfig, _ page: inout StatsPageConfig, _ ctx: inout ParseContext
    ) throws {
        let action = args.count > 2 ? args[2] : ""
        let set = HTTPRuleSet.request
        guard ["allow", "deny", "auth"].contains(action) else {
            if isListed(action, in: set.knownActions) || action.hasPrefix("set-var") || action.hasPrefix("unset-var") {
                throw KeywordError("'stats http-request \(action)' is not supported by this build (only allow, deny and auth act on the page).")
            }
            let got = action.isEmpty ? "'' (missing argument)" : "'\(action)'"
            throw KeywordError("'http-request' expects \(set.knownActions), but got \(got).", form: .parsingTight, abort: true)
        }
        if let last = page.rules.last, last.condition == nil {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: previous 'stats' action has no condition attached, further entries are NOOP.",
                at: ctx.location)
        }
        let ruleError = { (message: String) in
            KeywordError(
                "error detected in proxy '\(proxy.name)' while parsing 'http-request \(action)' rule : \(message).",
                abort: true)
        }
        var words = ArraySlice(args.dropFirst(3))
        var compiled = try parseAction(action, &words, proxy: proxy, stage: .httpRequest(inBackend: false), ruleError)
        // Without its own realm, `auth` challenges with the page's realm.
        if case .auth = compiled, !args.dropFirst(3).contains("realm") { compiled = .auth(realm: "") }
        let condition = try ctx.parseRuleCondition(
            words, keyword: "'http-request \(action)'", conditionContext: "an 'http-request \(action)' condition")
        page.rules.append(HTTPRule(action: compiled, condition: condition, location: "\(ctx.location)"))
    }
}
