#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyBase

/// `http-request` rules (manual section 4.2): `return` and `deny` without
/// conditions so far; other actions HAProxy has are refused with an ALERT.
extension KeywordRegistry {
    static let httpRuleKeywords: [ConfigKeyword] = [
        ConfigKeyword("http-request", [.frontend, .backend, .listen], parseHTTPRequest)
    ]

    /// The `http-request` actions this build implements.
    static let implementedHTTPRequestActions = ["deny", "return"]

    /// The actions HAProxy 2.6 lists when it meets an unknown one.
    static let httpRequestActions =
        "'wait-for-handshake', 'ot-group', 'set-log-level', 'set-nice', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'cache-use', 'add-acl(*)', 'add-header', 'allow', 'auth', 'capture', 'del-acl(*)', 'del-header', 'del-map(*)', 'deny', 'disable-l7-retry', 'early-hint', 'normalize-uri', 'redirect', 'reject', 'replace-header', 'replace-path', 'replace-pathq', 'replace-uri', 'replace-value', 'return', 'set-header', 'set-map(*)', 'set-method', 'set-path', 'set-pathq', 'set-query', 'set-uri', 'strict-mode', 'tarpit', 'track-sc(*)', 'set-timeout', 'wait-for-body', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"

    static func isKnownHTTPRequestAction(_ action: String) -> Bool {
        let names = httpRequestActions.split(separator: ",").map {
            $0.trimmingWhitespace().trimming { $0 == "'" }
        }
        return names.contains { name in
            // `NAME(*)` stands for every action starting with NAME
            // (`track-sc0`, `set-var(txn.x)`, `sc-inc-gpc0(1)`...).
            name.hasSuffix("(*)") ? action.hasPrefix(String(name.dropLast(3))) : name == action
        }
    }

    static func parseHTTPRequest(_ args: [String], _ ctx: inout ParseContext) throws {
        let action = args.count > 1 ? args[1] : ""
        guard let proxy = ctx.proxy else { return }
        if let last = proxy.httpRequestRules.last, last.isFinal {
            ctx.diagnostics.warning(
                "parsing [\(ctx.location)]: previous 'http-request' action is final and has no condition attached, further entries are NOOP.",
                at: ctx.location)
        }
        guard implementedHTTPRequestActions.contains(action) else {
            if isKnownHTTPRequestAction(action) {
                throw KeywordError("'http-request \(action)' is not supported by this build.")
            }
            throw KeywordError(
                "'http-request' expects \(httpRequestActions), but got '\(action)'.", form: .parsingTight, abort: true)
        }
        let ruleError = { (message: String) in
            KeywordError(
                "error detected in \(proxy.sectionName) '\(proxy.name)' while parsing 'http-request \(action)' rule : \(message).",
                abort: true)
        }
        var words = Array(args.dropFirst(2))
        var rule: HTTPRequestRule
        if action == "deny" {
            var status = 403
            if words.first == "deny_status" {
                let text = words.count > 1 ? words[1] : ""
                guard let s = Int(text), HTTPRequestRule.denyStatuses.contains(s) else {
                    throw ruleError("Unexpected status code '\(text)'")
                }
                status = s
                words.removeFirst(min(2, words.count))
            }
            rule = .deny(status: status)
        } else {
            let (response, consumed) = try parseReturn(words, proxy: proxy, error: ruleError)
            words.removeFirst(consumed)
            rule = .returnResponse(response)
        }
        if let word = words.first {
            if word == "if" || word == "unless" {
                throw KeywordError(
                    "'http-request \(action)' with an '\(word)' condition is not supported by this build yet (ACLs are not implemented).")
            }
            throw KeywordError(
                "'http-request \(action)' expects either 'if' or 'unless' followed by a condition but found '\(word)'.",
                form: .parsingTight, abort: true)
        }
        ctx.withProxy { $0.httpRequestRules.append(rule) }
    }

    /// `return [status N] [content-type T] [default-errorfiles | errorfile F |
    /// string S | lf-string S | file F] [hdr N V]*`; returns the response and
    /// the number of words used (a condition may follow).
    private static func parseReturn(
        _ words: [String], proxy: ProxyConfig, error: (String) -> KeywordError
    ) throws -> (HTTPRequestRule.ReturnResponse, Int) {
        var response = HTTPRequestRule.ReturnResponse()
        var payload: String?
        var useDefaultErrorfiles = false
        var i = 0
        func value() throws -> String {
            guard i + 1 < words.count else { throw error("'\(words[i])' expects an argument") }
            return words[i + 1]
        }
        func setPayload() throws {
            if let payload {
                throw error("unexpected '\(words[i])' argument, '\(payload)' already defined")
            }
            payload = words[i]
        }
        loop: while i < words.count {
            switch words[i] {
            case "status":
                let text = try value()
                guard let s = Int(text), (200...599).contains(s) else {
                    throw error("Unexpected status code '\(text)'")
                }
                response.status = s
                i += 2
            case "content-type":
                response.contentType = try value()
                i += 2
            case "default-errorfiles":
                try setPayload()
                useDefaultErrorfiles = true
                i += 1
            case "errorfile", "file":
                try setPayload()
                let path = try value()
                guard let data = SystemFile.contents(atPath: path) else {
                    throw error("error opening file '\(path)'.")
                }
                if words[i] == "errorfile" {
                    response.rawResponse = data
                } else {
                    response.body = data
                }
                i += 2
            case "string", "lf-string":
                try setPayload()
                let text = try value()
                if words[i] == "lf-string" && text.contains("%") {
                    throw KeywordError(
                        "'http-request return' : 'lf-string' with log-format variables is not supported by this build.")
                }
                response.body = Array(text.utf8)
                i += 2
            case "lf-file":
                throw KeywordError("'http-request return' : 'lf-file' is not supported by this build.")
            case "hdr":
                guard i + 2 < words.count else { throw error("'hdr' expects <name> and <value> as arguments") }
                response.headers.append(HeaderPair(name: words[i + 1], value: words[i + 2]))
                i += 3
            default:
                break loop
            }
        }
        if let body = response.body, !body.isEmpty, response.contentType == nil {
            throw error("a content type must be defined when non-empty payload is configured")
        }
        if useDefaultErrorfiles, let file = proxy.errorFiles[response.status] {
            response.rawResponse = file.bytes
        }
        return (response, i)
    }
}

extension HTTPRequestRule {
    /// Status codes `deny_status` accepts (those HAProxy has error pages for).
    static let denyStatuses: Set<Int> = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    /// An unconditional `deny` or `return` ends rule processing.
    var isFinal: Bool { true }
}
