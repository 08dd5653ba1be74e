import HAProxyBase
import HAProxyRules

/// `http-request`, `http-response` and `http-after-response` rules and the
/// proxy-level `redirect` keyword (manual 4.2): each line compiles into an
/// `HTTPRule` (HAProxyRules). Actions HAProxy 2.6 has that this build does
/// not implement are refused with an ALERT naming them.
extension KeywordRegistry {
    static let httpRuleKeywords: [ConfigKeyword] = [
        ConfigKeyword("http-request", .proxies) { args, ctx in
            try parseHTTPRule(.request, args, &ctx)
        },
        ConfigKeyword("http-response", .proxies) { args, ctx in
            try parseHTTPRule(.response, args, &ctx)
        },
        ConfigKeyword("http-after-response", .proxies) { args, ctx in
            try parseHTTPRule(.afterResponse, args, &ctx)
        },
        ConfigKeyword("redirect", [.frontend, .backend, .listen], parseRedirectKeyword),
        ConfigKeyword("acl", [.frontend, .backend, .listen]) { args, ctx in
            guard ctx.proxy != nil else { return }
            var added: ACLTerm?
            do {
                try ctx.withProxy { added = try $0.acls.add(Array(args.dropFirst())) }
            } catch let error as ACLParseError {
                throw KeywordError(error.message, abort: true)
            }
            if let added {
                ctx.recordUserlistReference(of: added, acl: args[1])
                ctx.recordStickTableReferences(of: added)
            }
        },
    ]

    /// The three HTTP rule sets.
    enum HTTPRuleSet {
        case request, response, afterResponse

        var keyword: String {
            switch self {
            case .request: return "http-request"
            case .response: return "http-response"
            case .afterResponse: return "http-after-response"
            }
        }

        /// The actions 2.6 lists when it meets an unknown one.
        var knownActions: String {
            switch self {
            case .request:
                return "'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"
            case .response:
                return "'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'cache-store', 'add-acl(*)', 'add-header', 'allow', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'redirect', 'replace-header', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-status', 'strict-mode', 'track-sc(*)', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'"
            case .afterResponse:
                return "'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)'"
            }
        }

        /// The actions this build implements in this rule set.
        var implementedActions: Set<String> {
            let headers: Set<String> = ["allow", "set-header", "add-header", "del-header", "replace-header", "replace-value"]
            switch self {
            case .request:
                return headers.union([
                    "deny", "return", "redirect", "auth", "set-method", "set-path", "set-pathq", "set-query", "set-uri",
                    "replace-path", "replace-pathq", "replace-uri", "capture", "set-log-level", "normalize-uri", "set-timeout", "set-src", "set-dst", "set-src-port", "set-dst-port",
                    "use-service", "reject", "silent-drop", "disable-l7-retry", "set-mark", "set-tos",
                ]).union(KeywordRegistry.requestHoldActions).union(StickCounterActionParser.actionNames)
            case .response:
                return headers.union([
                    "deny", "return", "redirect", "set-status", "capture", "set-log-level", "silent-drop", "set-mark",
                    "set-tos",
                ])
                    .union(StickCounterActionParser.actionNames)
            case .afterResponse:
                return headers.union(["set-status", "capture"])
            }
        }

        var stage: SampleStage {
            switch self {
            case .request: return .httpRequest(inBackend: false)
            case .response: return .httpResponse
            case .afterResponse: return .httpAfterResponse
            }
        }
    }

    /// Whether `action` is one of `list`'s entries; `NAME(*)` stands for
    /// every action starting with `NAME(` (`set-var(txn.x)`, `track-sc0`...).
    static func isListed(_ action: String, in list: String) -> Bool {
        list.split(separator: ",").map { $0.trimmingWhitespace().trimming { $0 == "'" } }.contains { name in
            name.hasSuffix("(*)") ? action.hasPrefix(String(name.dropLast(3))) : name == action
        }
    }

    static func parseHTTPRule(_ set: HTTPRuleSet, _ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        // Rules of a named defaults section run before those of the
        // proxies that use it (`from NAME`, or as the last defaults).
        if proxy.isDefaults && proxy.name.isEmpty {
            throw KeywordError("'\(set.keyword)' not allowed in anonymous 'defaults' section.")
        }
        let action = args.count > 1 ? args[1] : ""
        let existing: [HTTPRule]
        switch set {
        case .request: existing = proxy.httpRequestRules
        case .response: existing = proxy.httpResponseRules
        case .afterResponse: existing = proxy.httpAfterResponseRules
        }
        if let last = existing.last, last.action.isFinal, last.condition == nil {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: previous '\(set.keyword)' action is final and has no condition attached, further entries are NOOP.",
                at: ctx.location)
        }
        let variableAction = ["set-var(", "set-var-fmt(", "unset-var("].contains { action.hasPrefix($0) }
        let stickAction = StickCounterActionParser.handles(action) && set != .afterResponse
        let patternEdit = set == .afterResponse ? nil : PatternEdit.parseName(action)
        guard set.implementedActions.contains(action) || variableAction || stickAction || patternEdit != nil else {
            if isListed(action, in: set.knownActions) {
                throw KeywordError("'\(set.keyword) \(action)' is not supported by this build.")
            }
            throw KeywordError(
                "'\(set.keyword)' expects \(set.knownActions), but got '\(action)'.", form: .parsingTight, abort: true)
        }
        if experimentalActions.contains(action), !ctx.config.global.exposeExperimentalDirectives {
            throw KeywordError(
                "'\(action)' action is experimental, must be allowed via a global 'expose-experimental-directives'",
                abort: true)
        }
        let ruleError = { (message: String) in
            KeywordError(
                "error detected in \(proxy.sectionName) '\(proxy.name)' while parsing '\(set.keyword) \(action)' rule : \(message).",
                abort: true)
        }
        var stage = set.stage
        if case .httpRequest = stage, proxy.capabilities.contains(.backend) { stage = .httpRequest(inBackend: true) }
        var words = ArraySlice(args.dropFirst(2))
        var compiled: HTTPAction
        if stickAction {
            compiled = .stickCounter(try StickCounterActionParser.parse(
                action, &words, proxyName: proxy.name, stage: stage, sessionLevel: false, countsRequest: true,
                error: { ruleError($0) }))
        } else if let (kind, file) = patternEdit {
            compiled = .editPatterns(try parsePatternEdit(kind, file: file, &words, stage: stage, ruleError))
        } else {
            compiled = try parseAction(action, &words, proxy: proxy, stage: stage, ruleError)
        }
        HTTPReturnParser.dropIgnoredOptions(&compiled, &ctx)
        ctx.recordUserlistReferences(of: compiled.expressions, ruleSet: set.keyword)
        ctx.recordStickTableReferences(of: compiled.expressions, ruleSet: set.keyword)
        let condition = try ctx.parseRuleCondition(
            words, keyword: "'\(set.keyword) \(action)'", conditionContext: "an '\(set.keyword) \(action)' condition")
        if let condition { warnUnusable(condition, set: set, stage: stage, proxy: proxy, &ctx) }
        let rule = HTTPRule(action: compiled, condition: condition, location: "\(ctx.location)")
        declareRuleCaptureSlot(compiled, args, &ctx)
        ctx.withProxy {
            switch set {
            case .request: $0.httpRequestRules.append(rule)
            case .response: $0.httpResponseRules.append(rule)
            case .afterResponse: $0.httpAfterResponseRules.append(rule)
            }
        }
    }

    /// 2.6 warns of condition operands that find nothing where the rule
    /// runs (`req.hdr` in http-response rules, `res.hdr` in http-request
    /// ones). It names request rules after the frontend side of the
    /// proxy and response rules after its backend side.
    static func warnUnusable(
        _ condition: Condition, set: HTTPRuleSet, stage: SampleStage, proxy: ProxyConfig, _ ctx: inout ParseContext
    ) {
        let section: String
        switch set {
        case .request: section = proxy.capabilities.contains(.frontend) ? "frontend" : "backend"
        case .response, .afterResponse: section = proxy.capabilities.contains(.backend) ? "backend" : "frontend"
        }
        let kind = set == .request ? "http-request" : "http-response"
        ctx.warnUnusableOperands(condition, at: stage, target: "'\(section) \(kind) header rule'", ruleName: nil)
    }

    /// `set-mark <mark>` and `set-tos <tos>`: a number as 2.6 reads it
    /// (decimal, `0x` hexadecimal or `0` octal), with 2.6's messages.
    static func parseClientSocketOption(
        _ action: String, _ words: inout ArraySlice<String>, _ error: (String) -> KeywordError
    ) throws -> ClientSocketOption {
        guard let word = words.first, word != "if", word != "unless" else {
            throw error("expects exactly 1 argument (integer/hex value)")
        }
        words.removeFirst()
        switch ClientSocketOption.parseValue(word) {
        case .failure(let failure):
            throw error(failure.message)
        case .success(let value):
            return action == "set-mark" ? .mark(UInt32(truncatingIfNeeded: value)) : .tos(Int32(truncatingIfNeeded: value))
        }
    }

    /// `set-map(FILE) KEY VALUE`, `del-map(FILE) KEY`, `add-acl(FILE) KEY`,
    /// `del-acl(FILE) KEY`: log-format arguments, 2.6's message when one is
    /// missing (extra words are left for the condition check to report).
    static func parsePatternEdit(
        _ kind: PatternEdit.Kind, file: String, _ words: inout ArraySlice<String>, stage: SampleStage,
        _ error: (String) -> KeywordError
    ) throws -> PatternEdit {
        var formats: [SampleFormat] = []
        while formats.count < kind.argumentCount, let word = words.first, word != "if", word != "unless" {
            words.removeFirst()
            do {
                let parsed = try SampleFormat.parse(word)
                if let message = parsed.unavailableSampleMessage(in: word, at: stage) { throw error(message) }
                formats.append(parsed)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
        }
        guard formats.count == kind.argumentCount else { throw error("expects exactly \(kind.argumentCount) arguments") }
        return PatternEdit(kind: kind, file: file, key: formats[0], value: formats.count > 1 ? formats[1] : nil)
    }

    /// Parses one action's arguments, leaving `words` at the condition.
    static func parseAction(
        _ action: String, _ words: inout ArraySlice<String>, proxy: ProxyConfig, stage: SampleStage,
        _ error: (String) -> KeywordError
    ) throws -> HTTPAction {
        func format(_ text: String) throws -> SampleFormat {
            let parsed: SampleFormat
            do {
                parsed = try SampleFormat.parse(text)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
            if let message = parsed.unavailableSampleMessage(in: text, at: stage) { throw error(message) }
            return parsed
        }
        /// Up to `count` words before a condition keyword; further words
        /// are left for the condition check to report.
        func arguments(_ count: Int) -> [String] {
            var out: [String] = []
            while out.count < count, let w = words.first, w != "if", w != "unless" {
                out.append(w)
                words.removeFirst()
            }
            return out
        }
        if action.hasPrefix("set-var(") || action.hasPrefix("set-var-fmt(") || action.hasPrefix("unset-var(") {
            return try parseVariableAction(action, &words, format: format, stage: stage, error)
        }
        switch action {
        case "allow":
            return .allow
        case "reject":
            return .reject
        case "disable-l7-retry":
            return .disableLayer7Retries
        case "set-mark", "set-tos":
            return .setClientSocket(try parseClientSocketOption(action, &words, error))
        case "silent-drop":
            return .silentDrop
        case "deny":
            // http-response deny answers 502 by default.
            var status = stage == .httpResponse ? 502 : 403
            if words.first == "deny_status" {
                let text = words.dropFirst().first ?? ""
                guard let s = Int(text), HTTPReturnParser.denyStatuses.contains(s) else {
                    throw error("Unexpected status code '\(text)'")
                }
                status = s
                words.removeFirst(min(2, words.count))
            }
            let response = try HTTPReturnParser.parse(&words, proxy: proxy, defaultStatus: status, format: format, error)
            return .deny(status: response?.status ?? status, response: response)
        case "use-service":
            return try parseUseService(&words, error)
        case "auth":
            // `realm` needs its value; any other word is for the
            // condition check to report.
            var realm = proxy.name
            if words.first == "realm" {
                guard words.count > 1 else { throw error("missing realm value.\n") }
                realm = words[words.startIndex + 1]
                words.removeFirst(2)
            }
            return .auth(realm: realm)
        case "return":
            let response = try HTTPReturnParser.parse(&words, proxy: proxy, defaultStatus: 200, format: format, error)
                ?? HTTPReturn()
            return .returnResponse(response)
        case "redirect":
            return .redirect(try parseRedirect(&words, format: format, error))
        case "set-header", "add-header":
            let a = arguments(2)
            guard a.count == 2 else { throw error("expects exactly 2 arguments") }
            let name = Array(a[0].utf8)
            let value = try format(a[1])
            return action == "set-header" ? .setHeader(name: name, value: value) : .addHeader(name: name, value: value)
        case "del-header":
            var a = arguments(1)
            if words.first == "-m" { a += arguments(2) }
            var match = HeaderNameMatch.str
            if a.count == 3 && a[1] == "-m" {
                let m: HeaderNameMatch?
                do {
                    m = try HeaderNameMatch(method: a[2], pattern: a[0])
                } catch let e as Regex.CompileError {
                    throw error(e.message)
                }
                guard let m else { throw error("-m with unsupported matching method '\(a[2])'") }
                match = m
            } else if a.count != 1 {
                throw error("expects exactly 1 argument <name> optionally followed by -m <method>")
            }
            return .deleteHeader(name: Array(a[0].utf8), match: match)
        case "set-method", "set-path", "set-pathq", "set-query", "set-uri":
            let a = arguments(1)
            guard a.count == 1 else { throw error("expects exactly 1 argument <format>") }
            let f = try format(a[0])
            switch action {
            case "set-method": return .setMethod(f)
            case "set-path": return .setPath(f)
            case "set-pathq": return .setPathQuery(f)
            case "set-query": return .setQuery(f)
            default: return .setURI(f)
            }
        case "set-src", "set-dst", "set-src-port", "set-dst-port":
            let a = arguments(1)
            guard let text = a.first else { throw error("missing fetch method") }
            let expression: SampleExpression
            do {
                expression = try SampleExpression.parse(text)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
            let part: EndpointPart
            switch action {
            case "set-src": part = .sourceAddress
            case "set-dst": part = .destinationAddress
            case "set-src-port": part = .sourcePort
            default: part = .destinationPort
            }
            return .setEndpoint(part, expression)
        case "set-timeout":
            let a = arguments(2)
            guard a.count == 2 else { throw error("expects exactly 2 arguments") }
            guard proxy.capabilities.contains(.backend) || proxy.isDefaults else {
                throw error("proxy '\(proxy.name)' has no backend capability")
            }
            guard let kind = StreamTimeout(rawValue: a[0]) else {
                throw error("'set-timeout' rule supports 'server'/'tunnel' (got '\(a[0])')")
            }
            switch DurationParser.parse(a[1]) {
            case .success(let v) where v.trailing == nil:
                return .setTimeout(kind, milliseconds: v.milliseconds, expression: nil)
            case .failure(.unexpectedCharacter(let c)):
                // Not a time: an expression giving milliseconds.
                guard let expression = try? SampleExpression.parse(a[1]) else {
                    throw error("unexpected character '\(c)' in rule 'set-timeout \(a[0])'")
                }
                return .setTimeout(kind, milliseconds: nil, expression: expression)
            case .success(let v):
                throw error("unexpected character '\(v.trailing!)' in rule 'set-timeout \(a[0])'")
            case .failure:
                throw error("invalid timeout value '\(a[1])' in rule 'set-timeout \(a[0])'")
            }
        case "replace-header", "replace-value":
            let a = arguments(3)
            guard a.count == 3 else { throw error("expects exactly 3 arguments") }
            let regex = try compileRegex(a[1], error)
            let replacement = try format(a[2])
            return action == "replace-header"
                ? .replaceHeader(name: Array(a[0].utf8), regex: regex, replacement: replacement)
                : .replaceValue(name: Array(a[0].utf8), regex: regex, replacement: replacement)
        case "replace-path", "replace-pathq", "replace-uri":
            let a = arguments(2)
            guard a.count == 2 else { throw error("expects exactly 2 arguments <match-regex> and <replace-format>") }
            let part: URIPart = action == "replace-path" ? .path : action == "replace-pathq" ? .pathQuery : .uri
            return .replaceURIPart(part, regex: try compileRegex(a[0], error), replacement: try format(a[1]))
        case "normalize-uri":
            return .normalizeURI(try parseNormalizer(&words, error))
        case "set-status":
            guard let text = words.first, let status = Int(text), (100...999).contains(status) else {
                throw error("expects an integer status code between 100 and 999")
            }
            words.removeFirst()
            var reason: [UInt8]?
            if words.first == "reason", words.count > 1 {
                reason = Array(words[words.startIndex + 1].utf8)
                words.removeFirst(2)
            }
            return .setStatus(status, reason: reason)
        case "capture":
            return try parseCaptureAction(&words, proxy: proxy, stage: stage, error)
        case "set-log-level":
            guard let level = parseLogLevel(&words) else { throw error(logLevelExpected) }
            return .setLogLevel(level)
        default:
            return try parseRequestHoldAction(action, &words, proxy: proxy, format: format, error)
        }
    }

    static func compileRegex(_ pattern: String, _ error: (String) -> KeywordError) throws -> Regex {
        do {
            return try Regex(pattern)
        } catch let e as Regex.CompileError {
            throw error(e.message)
        }
    }

    static func parseVariableAction(
        _ action: String, _ words: inout ArraySlice<String>, format: (String) throws -> SampleFormat,
        stage: SampleStage, _ error: (String) -> KeywordError
    ) throws -> HTTPAction {
        guard let head = try VariableActionHead.parse(action, error: error) else {
            throw error("missing ')' after the variable name")
        }
        let (verb, name, parts) = (head.verb, head.name, head.options)
        switch verb {
        case "unset-var":
            return .unsetVariable(name)
        case "set-var-fmt":
            let text = words.first.flatMap { $0 == "if" || $0 == "unless" ? nil : $0 } ?? ""
            if !text.isEmpty { words.removeFirst() }
            return .setVariableFormat(name, try format(text))
        default:
            guard let text = words.first, text != "if", text != "unless" else { throw error("missing fetch method") }
            words.removeFirst()
            let expression: SampleExpression
            do {
                expression = try SampleExpression.parse(text)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
            if let source = expression.missingSource(at: stage) {
                throw error(
                    "fetch method '\(text)' extracts information from '\(source.name)', none of which is available here")
            }
            var conditions: [SetVariableCondition] = []
            for c in parts {
                guard let condition = SetVariableCondition(rawValue: c) else { throw error("unknown condition '\(c)'") }
                conditions.append(condition)
            }
            return .setVariable(name, expression, conditions: conditions)
        }
    }

    /// `redirect {location | prefix | scheme} <arg> [code N] [option]...`
    /// (the keyword and the `http-request`/`http-response` action).
    static func parseRedirect(
        _ words: inout ArraySlice<String>, format: (String) throws -> SampleFormat, _ error: (String) -> KeywordError
    ) throws -> HTTPRedirect {
        var kind: HTTPRedirect.Kind?
        var target: SampleFormat?
        var redirect = HTTPRedirect(kind: .location, target: try format(""))
        let expected =
            "expects 'code', 'prefix', 'location', 'scheme', 'set-cookie', 'clear-cookie', 'drop-query', 'ignore-empty' or 'append-slash'"
        while let word = words.first, word != "if", word != "unless" {
            words.removeFirst()
            func value() throws -> String {
                guard let v = words.first else { throw error("missing argument for '\(word)'") }
                words.removeFirst()
                return v
            }
            switch word {
            case "location", "prefix", "scheme":
                kind = word == "location" ? .location : word == "prefix" ? .prefix : .scheme
                target = try format(try value())
            case "code":
                let text = try value()
                guard let code = Int(text), [301, 302, 303, 307, 308].contains(code) else {
                    throw error("'code': unsupported HTTP code '\(text)' (must be one of 301, 302, 303, 307 or 308)")
                }
                redirect.code = code
            case "drop-query":
                redirect.dropQuery = true
            case "append-slash":
                redirect.appendSlash = true
            case "set-cookie":
                redirect.setCookie = Array(try value().utf8)
            case "clear-cookie":
                redirect.clearCookie = Array(try value().utf8)
            case "ignore-empty":
                redirect.ignoreEmpty = true
            default:
                throw error("\(expected) (was '\(word)')")
            }
        }
        guard let kind, let target else {
            throw error("redirect type must be one of 'location', 'prefix' or 'scheme'")
        }
        redirect.kind = kind
        redirect.target = target
        return redirect
    }

    /// The proxy-level `redirect` keyword: an `http-request redirect` rule.
    static func parseRedirectKeyword(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        let error = { (message: String) in
            KeywordError(
                "error detected in \(proxy.sectionName) '\(proxy.name)' while parsing redirect rule : \(message).",
                abort: true)
        }
        var words = ArraySlice(args.dropFirst())
        let stage: SampleStage = .httpRequest(inBackend: proxy.capabilities.contains(.backend))
        let redirect = try parseRedirect(&words, format: { text in
            do {
                return try SampleFormat.parse(text)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
        }, error)
        _ = stage
        let condition = try ctx.parseRuleCondition(
            words, keyword: "'redirect'", conditionContext: "a redirect rule's condition")
        let rule = HTTPRule(action: .redirect(redirect), condition: condition, location: "\(ctx.location)")
        ctx.withProxy { $0.redirectRules.append(rule) }
    }

    /// `use-service <name>`: a service the runtime registered
    /// (`prometheus-exporter`); a name 2.6 knows that this build does not
    /// register is refused by name.
    static func parseUseService(_ words: inout ArraySlice<String>, _ error: (String) -> KeywordError) throws -> HTTPAction {
        guard let name = words.first, name != "if", name != "unless", !name.isEmpty else {
            throw error("'use-service' expects a service name.")
        }
        words.removeFirst()
        guard HTTPServiceCatalog.shared.contains(name) else {
            if name == "prometheus-exporter" {
                throw KeywordError("'http-request use-service prometheus-exporter' is not supported by this build.")
            }
            throw error("'\(name)' unknown service name.")
        }
        return .useService(name)
    }
}
