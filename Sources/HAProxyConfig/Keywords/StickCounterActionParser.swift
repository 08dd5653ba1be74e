import HAProxyRules
import HAProxyTables

/// The stick counter actions of `tcp-request connection|session|content`
/// and `http-request` rules (manual 4.2): `track-sc0..2 <key> [table <t>]`,
/// `sc-inc-gpc0(N)`, `sc-inc-gpc1(N)`, `sc-set-gpt0(N) <value>`.
enum StickCounterActionParser {
    /// Their names, as docs/keywords.md lists them (`sc-inc-gpc0(N)` is
    /// written with its counter number).
    static let actionNames: Set<String> = [
        "track-sc0", "track-sc1", "track-sc2", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0",
    ]

    /// Whether `action` is one of them.
    static func handles(_ action: String) -> Bool {
        action.hasPrefix("track-sc") || action == "sc-inc-gpc0" || action == "sc-inc-gpc1" || action == "sc-set-gpt0"
            || action.hasPrefix("sc-inc-gpc0(") || action.hasPrefix("sc-inc-gpc1(") || action.hasPrefix("sc-set-gpt0(")
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
            var value = try SampleExpression.parse("int(0)")
            if let text = words.first, text != "if", text != "unless" {
                words.removeFirst()
                value = try Int64(text).map { try SampleExpression.parse("int(\($0))") } ?? expression(text)
            }
            return .setGPT0(slot: slot, value: value)
        }
    }
}
