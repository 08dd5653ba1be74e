/// One `http-request`, `http-response` or `http-after-response` action
/// (manual 4.2), compiled when the configuration is read.
public enum HTTPAction: Sendable {
    /// Stops evaluating this rule set; the message goes on.
    case allow
    /// Answers with `status`'s error page (or a custom response) and closes.
    case deny(status: Int, response: HTTPReturn?)
    /// `http-request reject`: closes the client connection without an
    /// answer, as `tcp-request content reject` does.
    case reject
    /// `silent-drop`: the client connection goes away without the client
    /// being told.
    case silentDrop
    /// `redirect ...` (also the proxy-level `redirect` keyword).
    case redirect(HTTPRedirect)
    /// `return [status N] [content-type T] [payload] [hdr N V]*`.
    case returnResponse(HTTPReturn)
    /// `auth [realm R]`: the 401 (or 407) challenge for `realm` (the
    /// proxy's name when none is given).
    case auth(realm: String)
    case setHeader(name: [UInt8], value: SampleFormat)
    case addHeader(name: [UInt8], value: SampleFormat)
    /// `del-header NAME [-m str|beg|end|sub]`.
    case deleteHeader(name: [UInt8], match: HeaderNameMatch)
    case setMethod(SampleFormat)
    case setPath(SampleFormat)
    case setPathQuery(SampleFormat)
    case setQuery(SampleFormat)
    case setURI(SampleFormat)
    /// `set-status CODE [reason TEXT]` (responses).
    case setStatus(Int, reason: [UInt8]?)
    /// `replace-header NAME REGEX FORMAT`: each whole value that matches.
    case replaceHeader(name: [UInt8], regex: Regex, replacement: SampleFormat)
    /// `replace-value NAME REGEX FORMAT`: each comma-separated value.
    case replaceValue(name: [UInt8], regex: Regex, replacement: SampleFormat)
    /// `replace-path`, `replace-pathq`, `replace-uri REGEX FORMAT`.
    case replaceURIPart(URIPart, regex: Regex, replacement: SampleFormat)
    /// `set-var(NAME[,cond...]) EXPR`.
    case setVariable(VariableName, SampleExpression, conditions: [SetVariableCondition])
    /// `set-var-fmt(NAME) FORMAT`.
    case setVariableFormat(VariableName, SampleFormat)
    /// `set-map`, `del-map`, `add-acl`, `del-acl`.
    case editPatterns(PatternEdit)
    /// `set-mark` / `set-tos`: an option of the client's socket.
    case setClientSocket(ClientSocketOption)
    /// `disable-l7-retry`: the request is not sent again for `retry-on`'s
    /// reasons (connection failures still are, within `retries`).
    case disableLayer7Retries
    case unsetVariable(VariableName)
    /// `capture <sample> len N | id N`.
    case capture(HTTPCapture)
    /// `set-log-level <level>`.
    case setLogLevel(LogLevelOverride)
    /// `track-sc*`, `sc-inc-gpc0/1`, `sc-set-gpt0`.
    case stickCounter(StickCounterAction)
    /// `normalize-uri NORMALIZER [full|strict]` (experimental in 2.6).
    case normalizeURI(URINormalizer)
    /// `set-src`, `set-dst`, `set-src-port`, `set-dst-port EXPR`: the
    /// addresses the stream's later fetches, logs and headers see.
    case setEndpoint(EndpointPart, SampleExpression)
    /// `set-timeout server|tunnel TIME|EXPR`: for this stream only (an
    /// expression gives milliseconds).
    case setTimeout(StreamTimeout, milliseconds: Int?, expression: SampleExpression?)
    /// `early-hint NAME FORMAT`: a header of a 103 Early Hints response
    /// sent before the final one (RFC 8297).
    case earlyHint(name: [UInt8], value: SampleFormat)
    /// `tarpit [deny_status N] [return options]`: the request is held for
    /// `timeout tarpit`, then answered like `deny` (500 by default).
    case tarpit(status: Int, response: HTTPReturn?)
    /// `wait-for-body time T [at-least N]`: the rules wait for the request
    /// body (all of it, `atLeast` bytes, or a full buffer) for `timeMs`.
    case waitForBody(timeMs: Int, atLeast: Int)
    /// `use-service <name>`: a service registered under that name answers
    /// the request inside the stream (`HTTPServiceCatalog`).
    case useService(String)

    /// Whether the action ends the rule set when it runs.
    public var isFinal: Bool {
        switch self {
        case .allow, .deny, .reject, .silentDrop, .redirect, .returnResponse, .auth, .tarpit, .useService: return true
        default: return false
        }
    }

    /// Whether the action writes the transaction's log slots (`capture`,
    /// `set-log-level`): streams make those slots only for configurations
    /// that have such an action somewhere.
    public var writesTransactionLog: Bool {
        switch self {
        case .capture, .setLogLevel: return true
        default: return false
        }
    }

    /// The sample expressions the action evaluates (in its formats too),
    /// in the order they are written.
    public var expressions: [SampleExpression] {
        switch self {
        case .setHeader(_, let f), .addHeader(_, let f), .setMethod(let f), .setPath(let f),
             .setPathQuery(let f), .setQuery(let f), .setURI(let f), .setVariableFormat(_, let f),
             .earlyHint(_, let f):
            return f.expressions
        case .setVariable(_, let expression, _):
            return [expression]
        case .editPatterns(let edit):
            return edit.key.expressions + (edit.value?.expressions ?? [])
        case .capture(let capture):
            return [capture.expression]
        case .redirect(let redirect):
            return redirect.target.expressions
        case .returnResponse(let response), .deny(_, let response?), .tarpit(_, let response?):
            var list: [SampleExpression] = []
            if case .format(let f) = response.payload { list += f.expressions }
            for header in response.headers { list += header.value.expressions }
            return list
        default:
            return []
        }
    }
}

/// What a `set-src`/`set-dst`(`-port`) action changes.
public enum EndpointPart: Sendable {
    case sourceAddress, sourcePort, destinationAddress, destinationPort
}

/// The part of the request target a `replace-*` action rewrites.
public enum URIPart: Sendable {
    case path, pathQuery, uri
}

/// How `del-header -m` compares header names (never case-sensitive).
public enum HeaderNameMatch: Sendable {
    case str, beg, end, sub
    case reg(Regex)

    public init?(method: String, pattern: String) throws {
        switch method {
        case "str": self = .str
        case "beg": self = .beg
        case "end": self = .end
        case "sub": self = .sub
        case "reg": self = .reg(try Regex(pattern, caseInsensitive: true))
        default: return nil
        }
    }

    public func matches(_ name: UnsafeRawBufferPointer, _ pattern: [UInt8]) -> Bool {
        if case .reg(let regex) = self { return regex.matches(name) }
        func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
        func equal(at offset: Int) -> Bool {
            for i in 0..<pattern.count where lower(name[offset + i]) != lower(pattern[i]) { return false }
            return true
        }
        guard name.count >= pattern.count else { return false }
        switch self {
        case .reg: return false
        case .str: return name.count == pattern.count && equal(at: 0)
        case .beg: return equal(at: 0)
        case .end: return equal(at: name.count - pattern.count)
        case .sub:
            for offset in 0...(name.count - pattern.count) where equal(at: offset) { return true }
            return false
        }
    }
}

/// A rule: an action and its condition. A class, so that running a rule
/// set does not copy its actions and conditions; immutable, so that the
/// runner reads them in place (a `var` was copied, payloads retained, at
/// every rule).
public final class HTTPRule: Sendable {
    public let action: HTTPAction
    public let condition: Condition?
    /// `file:line` of the rule, for messages.
    public let location: String

    public init(action: HTTPAction, condition: Condition?, location: String) {
        self.action = action
        self.condition = condition
        self.location = location
    }

    /// The same rule with another action (error pages resolved after parsing).
    public func with(action: HTTPAction) -> HTTPRule {
        HTTPRule(action: action, condition: condition, location: location)
    }
}

/// What a `redirect` answers (manual 4.2 `redirect`).
public struct HTTPRedirect: Sendable {
    public enum Kind: Sendable {
        /// `location <loc>`: the target as is.
        case location
        /// `prefix <pfx>`: prepended to the request's path and query.
        case prefix
        /// `scheme <sch>`: `sch://host/path?query`.
        case scheme
    }
    public var kind: Kind
    public var target: SampleFormat
    /// 301, 302 (default), 303, 307 or 308.
    public var code = 302
    public var dropQuery = false
    public var appendSlash = false
    /// `ignore-empty`: a rule whose rendered target is empty is skipped.
    public var ignoreEmpty = false
    /// `set-cookie NAME[=value]`: the header's value.
    public var setCookie: [UInt8]?
    /// `clear-cookie NAME[=]`: the header's value.
    public var clearCookie: [UInt8]?

    public init(kind: Kind, target: SampleFormat) {
        self.kind = kind
        self.target = target
    }
}

/// A response the proxy builds itself: `return`, `deny` with a payload.
public struct HTTPReturn: Sendable {
    public enum Payload: Sendable {
        case none
        /// `string` or `file`: fixed bytes.
        case bytes([UInt8])
        /// `lf-string`: rendered for each request.
        case format(SampleFormat)
        /// `errorfile`: a whole raw response.
        case rawResponse([UInt8])
        /// `default-errorfiles`: the page the stream's backend (else its
        /// frontend, else the built-in one) has for the status.
        case proxyErrorPage
        /// `errorfiles NAME`: the page of an `http-errors` section,
        /// replaced by `rawResponse` (or `none` when the section has no
        /// page for the status) once the configuration is read.
        case httpErrorsSection(String)
    }
    public var status = 200
    public var contentType: String?
    public var payload = Payload.none
    public var headers: [(name: [UInt8], value: SampleFormat)] = []

    public init() {}
}
