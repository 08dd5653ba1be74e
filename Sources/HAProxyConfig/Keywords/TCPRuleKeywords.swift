import HAProxyBase
import HAProxyRules

/// `tcp-request connection|session|content`, `tcp-response content` and
/// their `inspect-delay` (manual 4.2): each rule line compiles into a
/// `TCPRule` (HAProxyRules). Actions HAProxy 2.6 has that this build does
/// not implement are refused with an ALERT naming them; messages are
/// 2.6's, checked with `haproxy -c`.
extension KeywordRegistry {
    static let tcpRuleKeywords: [ConfigKeyword] = [
        ConfigKeyword("tcp-request", [.defaults, .frontend, .backend, .listen], parseTCPRequest),
        ConfigKeyword("tcp-response", [.defaults, .frontend, .backend, .listen], parseTCPResponse),
    ]

    /// The four TCP rule sets.
    enum TCPRuleSet: CaseIterable {
        case connection, session, content, response

        var keyword: String {
            switch self {
            case .connection: return "tcp-request connection"
            case .session: return "tcp-request session"
            case .content: return "tcp-request content"
            case .response: return "tcp-response content"
            }
        }

        /// The actions 2.6 lists when it meets an unknown one.
        var knownActions: String {
            switch self {
            case .connection, .session:
                return "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'"
            case .content:
                return "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', 'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"
            case .response:
                return "'accept', 'close', 'reject', 'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'"
            }
        }

        /// The actions this build implements in this rule set (variables
        /// aside).
        var implementedActions: Set<String> {
            switch self {
            case .connection:
                return Set(["accept", "reject", "silent-drop", "expect-proxy", "set-mark", "set-tos"])
                    .union(StickCounterActionParser.actionNames)
            case .session:
                return Set(["accept", "reject", "silent-drop", "set-mark", "set-tos"]).union(StickCounterActionParser.actionNames)
            case .content:
                return Set(["accept", "reject", "silent-drop", "set-log-level", "capture", "set-mark", "set-tos"])
                    .union(StickCounterActionParser.actionNames)
            case .response:
                return Set(["accept", "reject", "silent-drop", "close", "set-mark", "set-tos"])
                    .union(StickCounterActionParser.actionNames.filter { !$0.hasPrefix("track-sc") })
            }
        }

        func stage(inBackend: Bool) -> SampleStage {
            switch self {
            case .connection: return .tcpRequestConnection
            case .session: return .tcpRequestSession
            case .content: return .tcpRequestContent(inBackend: inBackend)
            case .response: return .tcpResponseContent
            }
        }
    }

    static func parseTCPRequest(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        let within = "in \(proxy.ruleMessageKind) '\(proxy.name)'"
        guard args.count > 1 else { throw KeywordError("missing argument for 'tcp-request' \(within)") }
        let anonymousDefaults = proxy.isDefaults && proxy.name.isEmpty
        switch args[1] {
        case "inspect-delay":
            if anonymousDefaults {
                throw KeywordError("tcp-request inspect-delay is not allowed in anonymous 'defaults' sections")
            }
            let delay = try inspectDelay(args, keyword: "tcp-request inspect-delay", within: within)
            ctx.withProxy { $0.tcpRequestInspectDelay = delay }
        case "connection", "session", "content":
            let set: TCPRuleSet = args[1] == "connection" ? .connection : args[1] == "session" ? .session : .content
            if anonymousDefaults {
                throw KeywordError("\(set.keyword) is not allowed in anonymous 'defaults' sections")
            }
            if set != .content, !proxy.isDefaults, !proxy.capabilities.contains(.frontend) {
                throw KeywordError(
                    "\(set.keyword) is not allowed because \(proxy.sectionName) \(proxy.name) is not a frontend")
            }
            try parseTCPRule(set, args, &ctx)
        default:
            throw KeywordError(
                "'tcp-request' expects 'inspect-delay', 'connection', or 'content' \(within) (got '\(args[1])')")
        }
    }

    static func parseTCPResponse(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        let within = "in \(proxy.ruleMessageKind) '\(proxy.name)'"
        guard args.count > 1 else { throw KeywordError("missing argument for 'tcp-response' \(within)") }
        let allowed = proxy.isDefaults ? !proxy.name.isEmpty : proxy.capabilities.contains(.backend)
        switch args[1] {
        case "inspect-delay":
            guard allowed else {
                throw KeywordError(
                    "tcp-response inspect-delay is only allowed in 'backend' sections or 'defaults' section with a name")
            }
            let delay = try inspectDelay(args, keyword: "tcp-response inspect-delay", within: within)
            ctx.withProxy { $0.tcpResponseInspectDelay = delay }
        case "content":
            guard allowed else {
                throw KeywordError(
                    "tcp-response content is only allowed in 'backend' sections or 'defaults' section with a name")
            }
            try parseTCPRule(.response, args, &ctx)
        default:
            throw KeywordError("'tcp-response' expects 'inspect-delay' or 'content' \(within) (got '\(args[1])')")
        }
    }

    /// `inspect-delay <timeout>`: a time in milliseconds by default.
    static func inspectDelay(_ args: [String], keyword: String, within: String) throws -> Int {
        let expected = "'\(keyword)' expects a positive delay in milliseconds, \(within)"
        guard args.count > 2 else { throw KeywordError(expected) }
        switch DurationParser.parse(args[2]) {
        case .success(let value):
            if let c = value.trailing { throw KeywordError("\(expected) (unexpected character '\(c)')") }
            return value.milliseconds
        case .failure(.unexpectedCharacter(let c)):
            throw KeywordError("\(expected) (unexpected character '\(c)')")
        case .failure:
            throw KeywordError(expected)
        }
    }

    /// `tcp-request content capture <sample> len <length>` (only `len`,
    /// as 2.6): the sample as a string, cut to the length, goes into a new
    /// request capture slot of the frontend, declared here.
    static func parseTCPCapture(
        _ words: inout ArraySlice<String>, proxy: ProxyConfig, stage: SampleStage, ctx: inout ParseContext
    ) throws -> HTTPCapture {
        let error = { (message: String) in KeywordError("'tcp-request content capture' : " + message) }
        // 2.6 refuses a backend's rule before reading its sample.
        guard proxy.capabilities.contains(.frontend) else { throw error("proxy '\(proxy.name)' has no frontend capability") }
        let text = words.first.flatMap { $0 == "if" || $0 == "unless" ? nil : $0 } ?? ""
        if !text.isEmpty { words.removeFirst() }
        let expression = try parseCaptureSample(text, stage: stage, error)
        guard words.first == "len", let length = words.dropFirst().first else {
            throw error("a positive 'len' argument is mandatory")
        }
        let capture = try captureInNewSlot(expression, length: length, proxy: proxy, error)
        words.removeFirst(2)
        ctx.withProxy { $0.captureRequestHeaders.append(CapturedHeader.slot(length: ParseContext.looseInteger(length))) }
        return capture
    }

    static func parseTCPRule(_ set: TCPRuleSet, _ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        let within = "in \(proxy.ruleMessageKind) '\(proxy.name)'"
        let action = args.count > 2 ? args[2] : ""
        let variableAction = ["set-var(", "set-var-fmt(", "unset-var("].contains { action.hasPrefix($0) }
        // `expect-proxy` is known to every request rule set, refused below
        // outside `tcp-request connection`.
        let expectProxy = action == "expect-proxy" && set != .response
        // `tcp-response content` rules update what the request tracked.
        let stickAction = StickCounterActionParser.handles(action) && (set != .response || !action.hasPrefix("track-sc"))
        // 2.6 knows `capture` in every request rule set, and refuses it
        // outside `content` once it read the sample's name.
        if action == "capture", set == .connection || set == .session {
            throw KeywordError("'capture \(args.count > 3 ? args[3] : "")' is not allowed in '\(set.keyword)' rules \(within)")
        }
        guard set.implementedActions.contains(action) || variableAction || expectProxy || stickAction else {
            if isListed(action, in: set.knownActions) || (action.hasPrefix("track-sc") && set != .response) {
                throw KeywordError("'\(set.keyword) \(action)' is not supported by this build.")
            }
            // 2.6 ends this message with an empty line for request rules.
            let tail = set == .response ? "" : "\n"
            throw KeywordError(
                "'\(set.keyword)' expects \(set.knownActions) \(within) (got '\(action)').\(tail)", abort: true)
        }
        if set != .response {
            warnIfMisplaced(set, proxy, &ctx)
        }
        let stage = set.stage(inBackend: !proxy.isDefaults && !proxy.capabilities.contains(.frontend))
        var words = ArraySlice(args.dropFirst(3))
        let compiled: TCPAction
        switch action {
        case "accept": compiled = .accept
        case "reject": compiled = .reject
        case "silent-drop": compiled = .silentDrop
        case "close": compiled = .close
        case "expect-proxy":
            guard set == .connection else {
                throw KeywordError("'expect-proxy layer4' is not allowed in '\(set.keyword)' rules \(within)")
            }
            guard words.first == "layer4" else {
                throw KeywordError(
                    "'\(set.keyword) expect-proxy' only supports 'layer4' \(within) (got '\(words.first ?? "")')")
            }
            words.removeFirst()
            compiled = .expectProxy
        case "set-log-level":
            guard let level = parseLogLevel(&words) else { throw KeywordError(logLevelExpected) }
            compiled = .setLogLevel(level)
        case "capture":
            compiled = .capture(try parseTCPCapture(&words, proxy: proxy, stage: stage, ctx: &ctx))
        case "set-mark", "set-tos":
            // 2.6 gives TCP rules the bare message.
            compiled = .setClientSocket(try parseClientSocketOption(action, &words) { KeywordError($0) })
        default:
            if stickAction {
                compiled = .stickCounter(try StickCounterActionParser.parse(
                    action, &words, proxyName: proxy.name, stage: stage, sessionLevel: set != .content,
                    countsRequest: false, error: { KeywordError("'\(set.keyword) \(action)' : \($0)") }))
            } else {
                compiled = try parseTCPVariableAction(action, &words, stage: stage)
            }
        }
        let condition = try tcpRuleCondition(words, rule: "\(set.keyword) \(action)", within: within, ctx)
        for term in condition?.anonymousTerms ?? [] { ctx.recordStickTableReferences(of: term) }
        if let condition {
            let section = proxy.capabilities.contains(.frontend) ? "frontend" : "backend"
            ctx.warnUnusableOperands(
                condition, at: stage, target: "'\(section) \(set.keyword) rule'", ruleName: set.keyword)
        }
        let rule = TCPRule(action: compiled, condition: condition, location: "\(ctx.location)")
        ctx.withProxy {
            switch set {
            case .connection: $0.tcpRequestConnectionRules.append(rule)
            case .session: $0.tcpRequestSessionRules.append(rule)
            case .content: $0.tcpRequestContentRules.append(rule)
            case .response: $0.tcpResponseContentRules.append(rule)
            }
        }
    }

    /// 2.6's warning for a rule written after rules of a later stage:
    /// it still runs before them.
    static func warnIfMisplaced(_ set: TCPRuleSet, _ proxy: ProxyConfig, _ ctx: inout ParseContext) {
        var later: [(present: Bool, name: String)] = []
        if set == .connection { later.append((!proxy.tcpRequestSessionRules.isEmpty, "a 'tcp-request session'")) }
        if set != .content { later.append((!proxy.tcpRequestContentRules.isEmpty, "a 'tcp-request content'")) }
        later += [
            (!proxy.httpRequestRules.isEmpty, "an 'http-request'"),
            (!proxy.redirectRules.isEmpty, "a 'redirect'"),
            (!proxy.switchingRules.isEmpty, "a 'use_backend'"),
            (!proxy.useServerRules.isEmpty, "a 'use-server'"),
        ]
        if let first = later.first(where: \.present) {
            ctx.warning("a 'tcp-request' rule placed after \(first.name) rule will still be processed before.")
        }
    }

    /// The `if`/`unless` condition ending a TCP rule, nil when there is none.
    static func tcpRuleCondition(
        _ words: ArraySlice<String>, rule: String, within: String, _ ctx: ParseContext
    ) throws -> Condition? {
        guard let first = words.first else { return nil }
        guard first == "if" || first == "unless" else {
            throw KeywordError("'\(rule)' only accepts 'if' or 'unless', \(within) (got '\(first)')", abort: true)
        }
        do {
            return try Condition.parse(words, acls: ctx.proxy?.acls ?? ACLTable())
        } catch let error as ACLParseError {
            let message = error.message.hasSuffix(".") ? String(error.message.dropLast()) : error.message
            throw KeywordError(
                "'\(rule)' : error detected \(within) while parsing '\(first)' condition : \(message)", abort: true)
        }
    }

    /// `set-var(NAME[,cond...]) EXPR`, `set-var-fmt(NAME) FMT`,
    /// `unset-var(NAME)`: 2.6 reports their errors without the rule's name.
    static func parseTCPVariableAction(
        _ action: String, _ words: inout ArraySlice<String>, stage: SampleStage
    ) throws -> TCPAction {
        guard let head = try VariableActionHead.parse(action, error: { KeywordError($0) }) else {
            throw KeywordError(
                "incomplete argument after action '\(action)'. Expects 'set-var(<var-name>)', 'set-var-fmt(<var-name>)' or 'unset-var(<var-name>)'")
        }
        let (verb, name, parts) = (head.verb, head.name, head.options)
        var conditions: [SetVariableCondition] = []
        for c in parts {
            guard let condition = SetVariableCondition(rawValue: c) else { throw KeywordError("unknown condition \"\(c)\"") }
            conditions.append(condition)
        }
        func next() -> String? {
            guard let text = words.first, text != "if", text != "unless" else { return nil }
            words.removeFirst()
            return text
        }
        switch verb {
        case "unset-var":
            return .unsetVariable(name)
        case "set-var-fmt":
            let text = next() ?? ""
            do {
                let format = try SampleFormat.parse(text)
                if let message = format.unavailableSampleMessage(in: text, at: stage) { throw KeywordError(message) }
                return .setVariableFormat(name, format)
            } catch let e as SampleParseError {
                throw KeywordError(e.message)
            }
        default:
            guard let text = next() else { throw KeywordError("missing fetch method") }
            let expression: SampleExpression
            do {
                expression = try SampleExpression.parse(text)
            } catch let e as SampleParseError {
                throw KeywordError(e.message)
            }
            if let source = expression.missingSource(at: stage) {
                throw KeywordError(
                    "fetch method '\(action)' extracts information from '\(source.name)', none of which is available here")
            }
            return .setVariable(name, expression, conditions: conditions)
        }
    }

    /// Checks across sections once the file is read: a proxy that copies
    /// a defaults section's TCP rules it cannot run (manual 4.2: the same
    /// defaults section cannot serve frontends and backends).
    /// Whether a defaults section holds TCP or HTTP rules.
    static func definesRules(_ defaults: ProxyConfig) -> Bool {
        !defaults.tcpRequestConnectionRules.isEmpty || !defaults.tcpRequestSessionRules.isEmpty
            || !defaults.tcpRequestContentRules.isEmpty || !defaults.tcpResponseContentRules.isEmpty
            || !defaults.httpRequestRules.isEmpty || !defaults.httpResponseRules.isEmpty
            || !defaults.httpAfterResponseRules.isEmpty
    }

    static func checkInheritedTCPRules(_ proxy: ProxyConfig, from defaults: ProxyConfig) -> String? {
        let requestSide = !defaults.tcpRequestConnectionRules.isEmpty || !defaults.tcpRequestSessionRules.isEmpty
        let anyRules = requestSide || !defaults.tcpRequestContentRules.isEmpty
            || !defaults.tcpResponseContentRules.isEmpty || !defaults.httpRequestRules.isEmpty
            || !defaults.httpResponseRules.isEmpty || !defaults.httpAfterResponseRules.isEmpty
        switch proxy.capabilities {
        case .listen where anyRules:
            return "a listen section cannot inherit from a defaults section defining TCP/HTTP rules."
        case .backend where requestSide:
            return "a backend section cannot inherit from a defaults section defining 'tcp-request connection' or 'tcp-request session' rules (defaults section at \(defaults.location))."
        case .frontend where !defaults.tcpResponseContentRules.isEmpty:
            return "a frontend section cannot inherit from a defaults section defining 'tcp-response content' rules (defaults section at \(defaults.location))."
        default:
            return nil
        }
    }
}
