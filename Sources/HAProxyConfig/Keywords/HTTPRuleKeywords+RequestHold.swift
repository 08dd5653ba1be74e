import HAProxyRules

/// The `http-request` actions that hold or precede the answer (manual
/// 4.2): `early-hint`, `tarpit` and `wait-for-body`.
extension KeywordRegistry {
    static let requestHoldActions: Set<String> = ["early-hint", "tarpit", "wait-for-body"]

    /// Parses one of `requestHoldActions`, leaving `words` at the condition.
    static func parseRequestHoldAction(
        _ action: String, _ words: inout ArraySlice<String>, proxy: ProxyConfig,
        format: (String) throws -> SampleFormat, _ error: (String) -> KeywordError
    ) throws -> HTTPAction {
        switch action {
        case "early-hint":
            // `early-hint NAME FORMAT`.
            guard words.count >= 2, let name = words.first, name != "if", name != "unless" else {
                throw error("expects exactly 2 arguments")
            }
            let value = try format(words[words.startIndex + 1])
            words.removeFirst(2)
            return .earlyHint(name: Array(name.utf8), value: value)
        case "tarpit":
            // `tarpit [deny_status N]` then the options of `return`; 500
            // by default, the proxy's error page unless a payload is given.
            var status = 500
            if words.first == "deny_status" {
                guard words.count > 1 else { throw error("'status' expects <status_code> as argument") }
                let text = words[words.startIndex + 1]
                guard let s = Int(text), HTTPReturnParser.denyStatuses.contains(s) else {
                    throw error("Unexpected status code '\(text)'")
                }
                status = s
                words.removeFirst(2)
            }
            let response = try HTTPReturnParser.parse(&words, proxy: proxy, defaultStatus: status, format: format, error)
            return .tarpit(status: response?.status ?? status, response: response)
        case "wait-for-body":
            // `wait-for-body time T [at-least N]`.
            guard words.first == "time" else { throw error("expects time <time> [ at-least <bytes> ]") }
            var timeMs = 0
            var atLeast = 0
            while let option = words.first, option == "time" || option == "at-least" {
                guard words.count > 1 else { throw error("missing argument for '\(option)'") }
                let text = words[words.startIndex + 1]
                if option == "time" {
                    switch DurationParser.parse(text) {
                    case .success(let value): timeMs = value.milliseconds
                    case .failure(.unexpectedCharacter(let c)): throw error("unexpected character '\(c)'")
                    case .failure: throw error("invalid time '\(text)'")
                    }
                } else {
                    switch SizeParser.parse(text) {
                    case .success(let value): atLeast = Int(clamping: value)
                    case .failure(.unexpectedCharacter(let c)): throw error("unexpected character '\(c)'")
                    case .failure: throw error("invalid size '\(text)'")
                    }
                }
                words.removeFirst(2)
            }
            return .waitForBody(timeMs: timeMs, atLeast: atLeast)
        default:
            throw error("unsupported action")
        }
    }
}
