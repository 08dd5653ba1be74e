import HAProxyRules
import HAProxyTables

/// The stick counter actions of `tcp-request connection|session|content`
/// and `http-request` rules (manual 4.2): `track-sc0..2 <key> [table <t>]`,
/// `sc-inc-gpc0(N)`, `sc-inc-gpc1(N)`, `sc-set-gpt0(N) <value>`,
/// `sc-inc-gpc(I,N)`, `sc-set-gpt(I,N) <value>`.
enum StickCounterActionParser {
    /// Their names, as docs/keywords.md lists them (`sc-inc-gpc0(N)` is
    /// written with its counter number).
    static let actionNames: Set<String> = [
        "track-sc0", "track-sc1", "track-sc2", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0", "sc-inc-gpc", "sc-set-gpt",
    ]

    /// Whether `action` is one of them.
    static func handles(_ action: String) -> Bool {
        action.hasPrefix("track-sc") || actionNames.contains(String(action.prefix { $0 != "(" }))
    }

    /// Parses the action's arguments, leaving `words` at the condition.
    /// - Parameters:
    ///   - proxyName: the default table's name (the rule's proxy).
    ///   - error: words a message as the rule set does.
    static func parse(
        _ action: String, _ words: inout ArraySlice<String>, proxyName: String, stage: SampleStage,
        sessionLevel: Bool, countsRequest: Bool, error: (String) -> KeywordError
    ) throws -> StickCounterAction {
        func expression(_ text: String?) throws -> SampleExpression {
            guard let text, text != "if", text != "unless" else { throw error("missing fetch method") }
            let parsed: SampleExpression
            do {
                parsed = try SampleExpression.parse(text)
            } catch let e as SampleParseError {
                throw error(e.message)
            }
            if let source = parsed.missingSource(at: stage) {
                throw error(
                    "fetch method '\(text)' extracts information from '\(source.name)', none of which is available here")
            }
            return parsed
        }
        if action.hasPrefix("track-sc") {
            let number = String(action.dropFirst("track-sc".count))
            guard let slot = Int(number), slot >= 0 else { throw error("invalid stick counter '\(number)'") }
            guard slot < StickCounters.slots else {
                throw error("\(slot) track-sc number exceeding 2 (MAX_SESS_STKCTR-1) value")
            }
            let key = try expression(words.popFirst())
            var table = proxyName
            if words.first == "table" {
                words.removeFirst()
                guard let name = words.popFirst(), !name.isEmpty else { throw error("missing table name") }
                table = name
            }
            return .track(
                slot: slot, key: key, table: table, sessionLevel: sessionLevel, countsRequest: countsRequest)
        }
        let name = action.prefix { $0 != "(" }
        if name == "sc-inc-gpc" || name == "sc-set-gpt" {
            let (index, slot) = try arrayAction(action, String(name), error: error)
            if name == "sc-inc-gpc" { return .incrementGPCElement(slot: slot, index: index) }
            return .setGPT(slot: slot, index: index, value: try tagValue(&words, expression))
        }
        guard ["sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0"].contains(name) else {
            throw error("unknown action '\(action)'")
        }
        var slot = 0
        if let open = action.firstIndex(of: "(") {
            let inner = action[action.index(after: open)...].prefix { $0 != ")" }
            guard let n = Int(inner), n >= 0, n < StickCounters.slots else {
                throw error("invalid stick table track ID. The max allowed ID is 2")
            }
            slot = n
        }
        switch name {
        case "sc-inc-gpc0": return .incrementGPC(slot: slot, counter: .gpc0)
        case "sc-inc-gpc1": return .incrementGPC(slot: slot, counter: .gpc1)
        default:
            return .setGPT0(slot: slot, value: try tagValue(&words, expression))
        }
    }

    /// The value of `sc-set-gpt*`: an integer, an expression, or 0 when none is given.
    private static func tagValue(
        _ words: inout ArraySlice<String>, _ expression: (String?) throws -> SampleExpression
    ) throws -> SampleExpression {
        guard let text = words.first, text != "if", text != "unless" else { return try SampleExpression.parse("int(0)") }
        words.removeFirst()
        return try Int64(text).map { try SampleExpression.parse("int(\($0))") } ?? expression(text)
    }

    /// `sc-inc-gpc(<idx>,<sc-id>)` and `sc-set-gpt(<idx>,<sc-id>)`: the
    /// element and the counter, read as 2.6 reads them (an index out of
    /// 0-99 is accepted and finds nothing; what follows `)` is ignored).
    private static func arrayAction(
        _ action: String, _ name: String, error: (String) -> KeywordError
    ) throws -> (index: Int, slot: Int) {
        let what = name == "sc-inc-gpc" ? "gpc" : "gpt"
        let expects = "Expects \(name)(<\(what.uppercased()) ID>,<Track ID>)"
        var rest = Substring(action.dropFirst(name.count))
        guard rest.first == "(" else { throw error("invalid \(what) ID '\(action)'. \(expects)") }
        rest = rest.dropFirst()
        func number(_ text: inout Substring) -> Int? {
            var digits = text.prefix { $0 == "-" || $0 == "+" }.prefix(1)
            let body = text.dropFirst(digits.count).prefix { $0.isASCII && $0.isNumber }
            guard !body.isEmpty else { return nil }
            digits += body
            text = text.dropFirst(digits.count)
            return Int(digits.prefix(18))
        }
        guard let index = number(&rest), rest.first == "," else { throw error("Missing \(what) ID '\(action)'. \(expects)") }
        rest = rest.dropFirst()
        guard let slot = number(&rest), rest.first == ")" else {
            throw error("invalid stick table track ID '\(action)'. \(expects)")
        }
        guard slot >= 0, slot < StickCounters.slots else {
            throw error("invalid stick table track ID '\(action)'. The max allowed ID is \(StickCounters.slots - 1)")
        }
        return (index, slot)
    }
}
