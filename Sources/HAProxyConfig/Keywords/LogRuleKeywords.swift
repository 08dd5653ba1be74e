import HAProxyBase
import HAProxyRules

/// The logging side of the rule sets (manual 4.2): `declare capture`, the
/// `capture` action of `http-request`, `http-response` and
/// `http-after-response`, and `set-log-level` (HTTP rules and `tcp-request
/// content`). Errors are worded as 2.6 words them.
extension KeywordRegistry {
    static let logRuleKeywords: [ConfigKeyword] = [
        ConfigKeyword("declare", [.defaults, .frontend, .backend, .listen], parseDeclare),
    ]

    /// `declare capture request|response len <length>`: a capture slot
    /// for `capture` actions with `id`, in a frontend or listen section.
    static func parseDeclare(_ args: [String], _ ctx: inout ParseContext) throws {
        guard let proxy = ctx.proxy else { return }
        if proxy.isDefaults { throw KeywordError("'declare' not available in default section") }
        guard proxy.capabilities.contains(.frontend) else {
            throw KeywordError("'declare' only available in frontend or listen section")
        }
        guard args.count > 1 else {
            throw KeywordError("'declare' needs a second keyword that specify the type of declaration ('capture')")
        }
        guard args[1] == "capture" else {
            throw KeywordError("unknown declaration type '\(args[1])' (supports 'capture')")
        }
        guard args.count > 2, args[2] == "request" || args[2] == "response" else {
            throw KeywordError("'declare capture' requires a direction ('request' or 'response')")
        }
        guard args.count > 3, args[3] == "len" else {
            throw KeywordError("'declare capture' requires a capture length ('len')")
        }
        guard args.count > 4 else {
            throw KeywordError("'declare capture': 'len' requires a numeric value that represents the capture length")
        }
        guard let length = Int(args[4]) else {
            throw KeywordError("'declare capture': cannot parse the length '\(args[3])'.")
        }
        guard length > 0 else { throw KeywordError("length must be > 0") }
        let slot = CapturedHeader.slot(length: length)
        ctx.withProxy {
            if args[2] == "request" { $0.captureRequestHeaders.append(slot) } else { $0.captureResponseHeaders.append(slot) }
        }
    }

    /// `capture <sample> len <length> | id <id>` in `http-request` rules,
    /// `capture <sample> id <id>` in `http-response` and
    /// `http-after-response` ones. With `len`, the slot is the next
    /// request slot of the proxy: `declareRuleCaptureSlot` adds it once
    /// the rule is accepted.
    static func parseCaptureAction(
        _ words: inout ArraySlice<String>, proxy: ProxyConfig, stage: SampleStage, _ error: (String) -> KeywordError
    ) throws -> HTTPAction {
        let isRequest: Bool
        if case .httpRequest = stage { isRequest = true } else { isRequest = false }
        var a: [String] = []
        while a.count < 3, let w = words.first, w != "if", w != "unless" {
            a.append(w)
            words.removeFirst()
        }
        guard a.count == 3 else {
            throw error(isRequest ? "expects <expression> [ 'len' <length> | id <idx> ]" : "expects <expression> id <idx>")
        }
        let expression = try parseCaptureSample(a[0], stage: stage, error)
        switch a[1] {
        case "len" where isRequest:
            return .capture(try captureInNewSlot(expression, length: a[2], proxy: proxy, error))
        case "id":
            guard let id = Int(a[2]) else { throw error("cannot parse id '\(a[2])'") }
            return .capture(HTTPCapture(expression: expression, response: !isRequest, slot: id))
        default:
            throw error(isRequest ? "expects 'len' or 'id', found '\(a[1])'" : "expects 'id', found '\(a[1])'")
        }
    }

    /// The sample of a `capture` action (HTTP or `tcp-request content`),
    /// with 2.6's messages.
    static func parseCaptureSample(
        _ text: String, stage: SampleStage, _ error: (String) -> KeywordError
    ) throws -> SampleExpression {
        let expression: SampleExpression
        do {
            expression = try SampleExpression.parse(text)
        } catch let e as SampleParseError {
            throw error(e.message)
        }
        if let source = expression.missingSource(at: stage) {
            throw error("fetch method '\(text)' extracts information from '\(source.name)', none of which is available here")
        }
        return expression
    }

    /// A capture into the request slot `capture ... len N` declares, the
    /// next of the proxy's (which the caller adds): only a frontend has
    /// slots, and the length must be positive (2.6's messages).
    static func captureInNewSlot(
        _ expression: SampleExpression, length: String, proxy: ProxyConfig, _ error: (String) -> KeywordError
    ) throws -> HTTPCapture {
        guard proxy.capabilities.contains(.frontend) else { throw error("proxy '\(proxy.name)' has no frontend capability") }
        guard ParseContext.looseInteger(length) > 0 else { throw error("length must be > 0") }
        return HTTPCapture(expression: expression, response: false, slot: proxy.captureRequestHeaders.count)
    }

    /// Adds the request slot an `http-request capture ... len N` rule
    /// declares (after the rule itself was accepted).
    static func declareRuleCaptureSlot(_ action: HTTPAction, _ args: [String], _ ctx: inout ParseContext) {
        guard case .capture(let capture) = action, !capture.response, args.count > 4, args[3] == "len" else { return }
        let slot = CapturedHeader.slot(length: ParseContext.looseInteger(args[4]))
        ctx.withProxy { $0.captureRequestHeaders.append(slot) }
    }

    /// `set-log-level <level>`: one of the 8 syslog levels or `silent`.
    static func parseLogLevel(_ words: inout ArraySlice<String>) -> LogLevelOverride? {
        guard let word = words.first, word != "if", word != "unless", let level = LogLevelOverride(name: word) else {
            return nil
        }
        words.removeFirst()
        return level
    }

    static let logLevelExpected = "expects exactly 1 argument (log level name or 'silent')"
}
