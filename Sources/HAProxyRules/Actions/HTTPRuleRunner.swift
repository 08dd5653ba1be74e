/// How a rule set ended.
public enum HTTPRuleVerdict: Sendable {
    /// Every rule ran (none was final): the message goes on.
    case proceed
    /// `allow`: the rest of this rule set is skipped, the message goes on.
    case allow
    /// `deny`: the error page for `status`, or a custom response.
    case deny(status: Int, response: HTTPReturn?)
    /// `reject`: the connection closes, nothing answered.
    case reject
    /// `silent-drop`: the connection vanishes (`IOConnection.silentDrop`).
    case silentDrop
    /// `redirect`: answer with `code` and this `Location`; `cookie` is a
    /// `Set-Cookie` value to send with it.
    case redirect(code: Int, location: [UInt8], cookie: [UInt8]?)
    /// `return`: the response to build.
    case respond(HTTPReturn)
    /// `auth`: the authentication challenge for `realm`.
    case authenticate(realm: String)
    /// A rule found the request invalid (a `strict` normalizer of
    /// `normalize-uri`): 2.6 answers 400 and closes, as for a request it
    /// cannot parse once the stream exists (`PR` in the log).
    case badRequest
    /// `tarpit`: hold the request, then answer like `deny`.
    case tarpit(status: Int, response: HTTPReturn?)
    /// `wait-for-body`: the body is awaited for `timeMs` (or until
    /// `atLeast` bytes are there); the rules go on at rule `resumeAt`.
    case waitForBody(resumeAt: Int, timeMs: Int, atLeast: Int)
    /// `use-service`: the named service answers the request.
    case useService(String)
}

extension HTTPRuleVerdict {
    /// The verdicts 2.6 remembers the rule of (`last_rule_file`); not
    /// `wait-for-body`, a service or a rejected normalization.
    var isFinalRule: Bool {
        switch self {
        case .allow, .deny, .reject, .silentDrop, .redirect, .respond, .authenticate, .tarpit: return true
        case .proceed, .badRequest, .waitForBody, .useService: return false
        }
    }

    /// The rule set ended without answering (`allow`, or no final action).
    public var letsRequestGoOn: Bool {
        switch self {
        case .proceed, .allow: return true
        default: return false
        }
    }
}

/// Runs a rule set in order (manual 4.2: rules are evaluated in their
/// declaration order; the first final action that runs stops the set).
public enum HTTPRuleRunner {
    /// - Parameter start: the first rule to run (rules resumed after a
    ///   `wait-for-body`).
    public static func run(
        _ rules: [HTTPRule], from start: Int = 0, on target: some HTTPRuleTarget
    ) -> HTTPRuleVerdict {
        var index = max(start, 0)
        while index < rules.count {
            // The array holds the rule: it runs without being retained.
            let verdict = Unmanaged.passUnretained(rules[index])._withUnsafeGuaranteedRef { rule in
                run(rule, at: index, of: rules, on: target)
            }
            if let verdict {
                if verdict.isFinalRule { target.noteFinalRule(rules[index].location) }
                return verdict
            }
            index += 1
        }
        return .proceed
    }

    /// One rule: the verdict that ends the rule set, nil to go on.
    @inline(__always)
    private static func run(
        _ rule: HTTPRule, at index: Int, of rules: [HTTPRule], on target: some HTTPRuleTarget
    ) -> HTTPRuleVerdict? {
        do {
            // Bound as an `Unmanaged`: `if let` on the condition itself
            // made a counted copy of it for every rule.
            if let condition = rule.condition.map(Unmanaged.passUnretained),
               !condition._withUnsafeGuaranteedRef({ $0.evaluate(target) })
            { return nil }
            return perform(rule.action, at: index, of: rules, on: target)
        }
    }

    /// Runs a rule's action, given as a borrowed value: its payloads are
    /// bound without being copied (switching on the rule's stored action
    /// copied each, retaining every array and reference in it).
    @inline(never)
    private static func perform(
        _ action: HTTPAction, at index: Int, of rules: [HTTPRule], on target: some HTTPRuleTarget
    ) -> HTTPRuleVerdict? {
        do {
            switch action {
            case .allow:
                return .allow
            case .deny(let status, let response):
                return .deny(status: status, response: response)
            case .reject:
                return .reject
            case .silentDrop:
                return .silentDrop
            case .redirect(let redirect):
                if let verdict = redirectVerdict(redirect, target) { return verdict }
            case .returnResponse(let response):
                return .respond(response)
            case .auth(let realm):
                return .authenticate(realm: realm)
            case .setHeader(let name, let value):
                let rendered = render(value, target)
                _ = target.setHeader(name, rendered)
            case .disableLayer7Retries:
                target.disableLayer7Retries()
            case .setClientSocket(let option):
                target.clientConnection?.setOption(option)
            case .editPatterns(let edit):
                edit.perform(key: render(edit.key, target), value: edit.value.map { render($0, target) })
            case .addHeader(let name, let value):
                let rendered = render(value, target)
                _ = target.addHeader(name, rendered)
            case .deleteHeader(let name, let match):
                _ = target.deleteHeaders { match.matches($0, name) }
            case .setMethod(let format):
                let method = render(format, target)
                _ = target.setMethod(method)
            case .setURI(let format):
                let uri = render(format, target)
                _ = target.setURI(uri)
            case .setPath(let format):
                let path = render(format, target)
                if let uri = rewriteURI(target, path: path, keepQuery: true) { _ = target.setURI(uri) }
            case .setPathQuery(let format):
                let path = render(format, target)
                if let uri = rewriteURI(target, path: path, keepQuery: false) { _ = target.setURI(uri) }
            case .setQuery(let format):
                let query = render(format, target)
                if let uri = rewriteQuery(target, query: query) { _ = target.setURI(uri) }
            case .setStatus(let status, let reason):
                _ = target.setStatus(status, reason: reason)
            case .replaceHeader(let name, let regex, let replacement):
                let template = render(replacement, target)
                _ = target.replaceHeaderValues(name) { regex.expand(template, matching: $0) }
            case .replaceValue(let name, let regex, let replacement):
                let template = render(replacement, target)
                _ = target.replaceHeaderValues(name) { replaceEachValue($0, regex, template) }
            case .replaceURIPart(let part, let regex, let replacement):
                let template = render(replacement, target)
                if let uri = replaceURIPart(target, part, regex, template) { _ = target.setURI(uri) }
            case .setVariable(let name, let expression, let conditions):
                guard let value = expression.evaluate(target) else { return nil }
                let current = target.variable(name)
                if conditions.allSatisfy({ $0.holds(input: value, current: current) }) {
                    target.setVariable(name, to: value)
                }
            case .setVariableFormat(let name, let format):
                target.setVariable(name, to: .string(render(format, target)))
            case .unsetVariable(let name):
                target.setVariable(name, to: nil)
            case .capture(let capture):
                capture.run(on: target)
            case .setLogLevel(let level):
                target.setLogLevel(level)
            case .stickCounter(let action):
                action.perform(on: target)
            case .setTimeout(let kind, let milliseconds, let expression):
                let value = milliseconds ?? expression?.evaluate(target)?.intValue.map { Int(clamping: $0) }
                // The timeout must be non-null to apply (manual).
                if let value, value > 0 { target.setTimeout(kind, milliseconds: value) }
            case .setEndpoint(let part, let expression):
                if let value = expression.evaluate(target) { target.setEndpoint(part, to: value) }
            case .normalizeURI(let normalizer):
                guard let uri = currentURI(target) else { return nil }
                switch normalizer.normalize(uri) {
                case .unchanged: break
                case .rewritten(let new): _ = target.setURI(new)
                case .invalid: return .badRequest
                }
            case .earlyHint(let name, let value):
                // Recorded: a hint goes out with the next ones when they
                // follow without a condition; each other group is its own 103.
                let next = index + 1 < rules.count ? rules[index + 1] : nil
                var grouped = false
                if let next, next.condition == nil, case .earlyHint = next.action { grouped = true }
                let rendered = render(value, target)
                target.addEarlyHint(name, rendered, sendsNow: !grouped)
            case .tarpit(let status, let response):
                return .tarpit(status: status, response: response)
            case .useService(let name):
                return .useService(name)
            case .waitForBody(let timeMs, let atLeast):
                if target.needsRequestBody(atLeast: atLeast) {
                    return .waitForBody(resumeAt: index + 1, timeMs: timeMs, atLeast: atLeast)
                }
            }
        }
        return nil
    }

    /// A format's bytes, log-format variables rendered by the target.
    public static func render(_ format: SampleFormat, _ target: some HTTPRuleTarget) -> [UInt8] {
        format.evaluate(target) { name, options, out in target.renderLogVariable(name, options: options, into: &out) }
    }

    /// `replace-value`: the regex against each comma-separated value
    /// (leading blanks skipped); a value that matches is replaced with its
    /// leading blanks (recorded: `a, b` with only `b` rewritten gives
    /// `a,B`), the others are kept as they were.
    static func replaceEachValue(_ value: UnsafeRawBufferPointer, _ regex: Regex, _ template: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var changed = false
        var start = 0
        while start <= value.count {
            let end = value[start...].firstIndex(of: UInt8(ascii: ",")) ?? value.count
            var trimmed = start
            while trimmed < end, value[trimmed] == 0x20 || value[trimmed] == 0x09 { trimmed += 1 }
            if start > 0 { out.append(UInt8(ascii: ",")) }
            if let new = regex.expand(template, matching: UnsafeRawBufferPointer(rebasing: value[trimmed..<end])) {
                out += new
                changed = true
            } else {
                out += value[start..<end]
            }
            start = end + 1
        }
        return changed ? out : nil
    }

    /// The request target with its path, path and query, or whole self
    /// replaced by the expanded template when the regex matches that part.
    static func replaceURIPart(_ target: some HTTPRuleTarget, _ part: URIPart, _ regex: Regex, _ template: [UInt8]) -> [UInt8]? {
        guard let uri = currentURI(target) else { return nil }
        let parts = URIParts(uri)
        switch part {
        case .uri:
            return uri.withUnsafeBytes { regex.expand(template, matching: $0) }
        case .path:
            guard let new = Array(parts.path).withUnsafeBytes({ regex.expand(template, matching: $0) }) else { return nil }
            return Array(parts.prefix) + new + Array(parts.query ?? [])
        case .pathQuery:
            let pathQuery = Array(parts.path) + Array(parts.query ?? [])
            guard let new = pathQuery.withUnsafeBytes({ regex.expand(template, matching: $0) }) else { return nil }
            return Array(parts.prefix) + new
        }
    }

    // MARK: URI pieces

    /// The request target split as 2.6 edits it: an optional
    /// `scheme://authority` prefix, the path, and the query with its `?`.
    struct URIParts {
        var prefix: ArraySlice<UInt8>
        var path: ArraySlice<UInt8>
        var query: ArraySlice<UInt8>?

        init(_ uri: [UInt8]) {
            var pathStart = 0
            if let first = uri.first, first != UInt8(ascii: "/") && first != UInt8(ascii: "*") {
                // Absolute form: the path starts at the first '/' after "://".
                if let scheme = Self.find(uri, Array("://".utf8)) {
                    let afterAuthority = uri[(scheme + 3)...].firstIndex(of: UInt8(ascii: "/"))
                        ?? uri[(scheme + 3)...].firstIndex(of: UInt8(ascii: "?")) ?? uri.count
                    pathStart = afterAuthority
                }
            }
            prefix = uri[0..<pathStart]
            if let q = uri[pathStart...].firstIndex(of: UInt8(ascii: "?")) {
                path = uri[pathStart..<q]
                query = uri[q...]
            } else {
                path = uri[pathStart...]
                query = nil
            }
        }

        static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            for i in 0...(haystack.count - needle.count) where Array(haystack[i..<(i + needle.count)]) == needle {
                return i
            }
            return nil
        }
    }

    static func currentURI(_ target: some HTTPRuleTarget) -> [UInt8]? {
        target.request?.withURI { Array($0) }
    }

    static func rewriteURI(_ target: some HTTPRuleTarget, path: [UInt8], keepQuery: Bool) -> [UInt8]? {
        guard let uri = currentURI(target) else { return nil }
        let parts = URIParts(uri)
        var out = Array(parts.prefix) + path
        if keepQuery, let query = parts.query { out += query }
        return out
    }

    static func rewriteQuery(_ target: some HTTPRuleTarget, query: [UInt8]) -> [UInt8]? {
        guard let uri = currentURI(target) else { return nil }
        let parts = URIParts(uri)
        if parts.query == nil && query.isEmpty { return nil }
        return Array(parts.prefix) + Array(parts.path) + [UInt8(ascii: "?")] + query
    }

    // MARK: Redirects

    /// The `Location` of a redirect (manual 4.2 `redirect`); nil when
    /// `ignore-empty` skips it.
    static func redirectVerdict(_ redirect: HTTPRedirect, _ target: some HTTPRuleTarget) -> HTTPRuleVerdict? {
        let rendered = render(redirect.target, target)
        if redirect.ignoreEmpty && rendered.isEmpty { return nil }
        var location: [UInt8]
        let uri = currentURI(target) ?? []
        let parts = URIParts(uri)
        var path = Array(parts.path)
        let query = redirect.dropQuery ? [] : Array(parts.query ?? [])
        if redirect.appendSlash && redirect.dropQuery && path.last != UInt8(ascii: "/") {
            path.append(UInt8(ascii: "/"))
        }
        switch redirect.kind {
        case .location:
            location = rendered
        case .prefix:
            // "/" as the prefix leaves the path alone.
            location = rendered == [UInt8(ascii: "/")] ? [] : rendered
            location += path + query
        case .scheme:
            var host: [UInt8] = []
            target.request?.forEachHeader { name, value in
                if name.count == 4, Array(name).map({ $0 | 0x20 }) == Array("host".utf8) {
                    host = Array(value)
                    return false
                }
                return true
            }
            if path.isEmpty || path == [UInt8(ascii: "*")] { path = [UInt8(ascii: "/")] }
            location = rendered + Array("://".utf8) + host + path + query
        }
        var cookie: [UInt8]?
        if let set = redirect.setCookie {
            cookie = set + Array("; path=/;".utf8)
        } else if let clear = redirect.clearCookie {
            cookie = clear + Array("; path=/; Max-Age=0;".utf8)
        }
        return .redirect(code: redirect.code, location: location, cookie: cookie)
    }
}
