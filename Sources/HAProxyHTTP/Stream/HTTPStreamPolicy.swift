import HAProxyConfig
import HAProxyRules
import NIOCore

/// What an HTTP frontend asks of every stream it accepts, built once per
/// frontend from its configuration: timeouts, connection mode, limits,
/// captures, the local answers and the error pages.
public final class HTTPFrontendPolicy: Sendable {
    public let timeouts: Timeouts
    public let connectionMode: ProxyOptions.HTTPConnectionMode
    public let forwardFor: ProxyOptions.ForwardFor?
    public let originalTo: ProxyOptions.OriginalTo?
    /// `option http-restrict-req-hdr-names`, applied after the frontend's rules.
    public let restrictHeaderNames: ProxyOptions.RestrictHeaderNames
    /// The proxy's numeric id (`fe_id`).
    public let id: Int
    public let headLimits: HTTPHeadLimits
    public let captureRequestHeaders: [CapturedHeader]
    public let captureResponseHeaders: [CapturedHeader]
    /// `monitor-uri`: its probes and answer.
    public let monitor: MonitorResponse?
    /// `monitor fail`: the conditions under which a probe gets a 503.
    let monitorFail: [Condition]
    public let proxyName: String
    /// `http-request` rules, then the `redirect` rules (run after them).
    public let requestRules: [HTTPRule]
    public let redirectRules: [HTTPRule]
    public let responseRules: [HTTPRule]
    public let afterResponseRules: [HTTPRule]
    /// `tcp-request content` rules: run on each request once its head is
    /// parsed, before `monitor-uri` and the `http-request` rules.
    public let contentRules: [TCPRule]
    /// `use_backend` rules with their targets resolved where named.
    public let switchingRules: [(target: SwitchingTarget, condition: Condition?)]
    /// Error responses for errors raised before a backend is chosen.
    public let errorPages: [Int: HTTPErrorReply]
    /// `use_backend` (unconditional) or `default_backend`, or the proxy
    /// itself for `listen`.
    public let defaultBackend: HTTPBackendPolicy?

    public enum SwitchingTarget: Sendable {
        case backend(HTTPBackendPolicy)
        /// A name computed per request, looked up at run time.
        case format(SampleFormat)
    }

    /// Whether requests go through any rule before the server.
    public let hasRequestAnalysis: Bool
    /// The backend side of a `listen` section (the proxy itself), nil for a frontend.
    public var ownBackend: HTTPBackendPolicy? { defaultBackendIsOwn ? defaultBackend : nil }
    private let defaultBackendIsOwn: Bool
    /// Whether responses go through rules (http-response, http-after-response).
    public var hasResponseAnalysis: Bool { !responseRules.isEmpty || !afterResponseRules.isEmpty }
    /// The configuration's `userlist` sections by name (`http_auth(L)`).
    public let userlists: [String: Userlist]
    /// `option http-use-proxy-header`: proxied requests authenticate
    /// with `Proxy-Authorization` and are challenged with a 407.
    public let usesProxyHeader: Bool
    /// The frontend's log formats have `%[...]` samples: each transaction
    /// hands a context over with its log line.
    public let logUsesSamples: Bool
    /// `option http-buffer-request`: the body is awaited before the rules.
    public let buffersRequest: Bool
    /// `option accept-invalid-http-request` (frontend) or
    /// `accept-invalid-http-response` (backend): the parser is lenient.
    public let acceptsInvalidMessages: Bool
    /// `option http-ignore-probes`.
    public let ignoresProbes: Bool
    /// A transaction may fill capture slots or set its log level: the
    /// frontend declares slots, or a rule of some proxy captures or sets
    /// the log level. Without it, rules run with no `TransactionLog`.
    public let writesTransactionLog: Bool
    /// The frontend's statistics page (`stats uri`...), checked after its rules.
    public let statsPage: HTTPStatsPagePolicy?
    /// `unique-id-format`: each transaction's ID, made when first needed
    /// (a `mode tcp` stream's, for its log line).
    public let uniqueIDFormat: SampleFormat?
    /// `unique-id-header`: the request header that carries it to the server.
    public let uniqueIDHeader: [UInt8]?
    /// Header names respelt for clients (`option h1-case-adjust-bogus-client`).
    public let headerCase: HTTPHeaderCase?
    /// `compression` lines, nil without any.
    public let compression: CompressionPolicy?
    /// `tune.comp.maxlevel`: the level responses are compressed with.
    public let compressionLevel: Int32

    public init(
        config: ProxyConfig, headLimits: HTTPHeadLimits, errorPages: [Int: HTTPErrorReply],
        defaultBackend: HTTPBackendPolicy?, userlists: [Userlist] = [],
        backendNamed: (String) -> HTTPBackendPolicy?, id: Int = 0, rulesWriteTransactionLog: Bool = true,
        headerCase: HTTPHeaderCase? = nil, compressionLevel: Int = 1
    ) {
        self.headerCase = config.options.headerCaseAdjustClient ? headerCase : nil
        self.compressionLevel = Int32(compressionLevel)
        timeouts = config.timeouts
        connectionMode = config.options.httpConnectionMode
        forwardFor = config.options.forwardFor
        originalTo = config.options.originalTo
        restrictHeaderNames = config.options.restrictHeaderNames
        self.id = id
        self.headLimits = headLimits
        captureRequestHeaders = config.captureRequestHeaders
        captureResponseHeaders = config.captureResponseHeaders
        monitor = config.mode == .http ? config.monitorURI.map(MonitorResponse.init(uri:)) : nil
        monitorFail = config.monitorFail
        proxyName = config.name
        requestRules = config.httpRequestRules
        redirectRules = config.redirectRules
        responseRules = config.httpResponseRules
        afterResponseRules = config.httpAfterResponseRules
        contentRules = config.tcpRequestContentRules
        switchingRules = config.switchingRules.compactMap { rule in
            switch rule.target {
            case .name(let name):
                return backendNamed(name).map { (.backend($0), rule.condition) }
            case .format(let format):
                return (.format(format), rule.condition)
            }
        }
        self.errorPages = errorPages
        self.defaultBackend = defaultBackend
        // A listen section's backend is itself; a frontend and a backend
        // may share a name and still be two proxies.
        defaultBackendIsOwn = config.capabilities.contains(.backend) && defaultBackend?.name == config.name
        statsPage = config.mode == .http ? config.statsPage.map { HTTPStatsPagePolicy(config: $0, proxyName: config.name) } : nil
        hasRequestAnalysis = !requestRules.isEmpty || !redirectRules.isEmpty || !switchingRules.isEmpty
            || restrictHeaderNames != .preserve || statsPage != nil
        self.userlists = Dictionary(userlists.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        usesProxyHeader = config.options.httpUseProxyHeader
        // `option httpslog`'s format has samples too (its TLS fields).
        logUsesSamples = [config.logFormat, config.errorLogFormat, config.logFormatSD].contains { $0?.contains("%[") ?? false }
            || (config.logFormat == nil && config.options.httpLog == .https)
        buffersRequest = config.options.httpBufferRequest
        acceptsInvalidMessages = config.options.acceptInvalidHTTPRequest
        ignoresProbes = config.options.httpIgnoreProbes
        writesTransactionLog = rulesWriteTransactionLog || !captureRequestHeaders.isEmpty || !captureResponseHeaders.isEmpty
        // The configuration's check parsed it already (see `PostParseChecker`).
        uniqueIDFormat = config.uniqueIDFormat.flatMap { try? SampleFormat.parse($0) }
        // 2.6 adds no header without a format.
        uniqueIDHeader = uniqueIDFormat == nil ? nil : config.uniqueIDHeader.map { Array($0.utf8) }
        compression = CompressionPolicy(config.compression)
    }

    /// Whether a rule of `proxies` captures or sets the log level, in
    /// whichever proxy a transaction may pass through.
    public static func rulesWriteTransactionLog(_ proxies: [ProxyConfig]) -> Bool {
        proxies.contains { proxy in
            [proxy.httpRequestRules, proxy.httpResponseRules, proxy.httpAfterResponseRules].contains {
                $0.contains { $0.action.writesTransactionLog }
            } || proxy.tcpRequestContentRules.contains { $0.action.writesTransactionLog }
        }
    }
}

/// What a backend asks of the HTTP transactions it serves, built once per
/// backend from its configuration.
public final class HTTPBackendPolicy: Sendable {
    /// The backend's position in the runtime's list, so the I/O layer finds
    /// its run-time object without a lookup by name.
    public let index: Int
    public let timeouts: Timeouts
    public let connectionMode: ProxyOptions.HTTPConnectionMode
    /// `option http-pretend-keepalive`.
    public let pretendsKeepAlive: Bool
    public let forwardFor: ProxyOptions.ForwardFor?
    public let abortOnClose: Bool
    public let reuse: HTTPReuse
    /// `http-send-name-header`: the header that names the server.
    public let sendNameHeader: [UInt8]?
    public let retries: Int
    /// `retry-on` (`mode http` only; the default `conn-failure` is the
    /// session's connection retries).
    public let retryOn: RetryOn
    /// `retry-on` retries requests that were sent: their bodies are kept
    /// until the response comes.
    public let retriesSentRequests: Bool
    /// A `mode tcp` backend cannot serve an HTTP frontend.
    public let isTCP: Bool
    public let errorPages: [Int: HTTPErrorReply]
    public let originalTo: ProxyOptions.OriginalTo?
    /// `option http-restrict-req-hdr-names`, applied after the backend's rules.
    public let restrictHeaderNames: ProxyOptions.RestrictHeaderNames
    /// The proxy's numeric id (`be_id`).
    public let id: Int

    public let name: String
    /// The backend's own rules: run when it is not the frontend's own
    /// proxy (a `listen` runs its rules once).
    public let requestRules: [HTTPRule]
    public let responseRules: [HTTPRule]
    public let afterResponseRules: [HTTPRule]
    /// Cookie persistence, with the cookie value of each server.
    public let cookie: CookiePersistence?
    let serverByCookie: [String: String]
    let cookieByServer: [String: String]
    /// `option persist`, `force-persist`, `ignore-persist`, `use-server`.
    let persist: Bool
    let forcePersist: [Condition]
    let ignorePersist: [Condition]
    let useServerRules: [UseServerRule]
    /// `stick` rules; `storesResponses` when some are `store-response`.
    public let stickingRules: [StickingRule]
    let storesResponses: Bool
    let serverNames: Set<String>
    /// Responses from this backend go through its rules or persistence.
    public var hasResponseAnalysis: Bool {
        !responseRules.isEmpty || !afterResponseRules.isEmpty || cookie != nil || storesResponses
    }
    /// Requests to this backend go through rules or persistence.
    public var needsRequestAnalysis: Bool { hasRequestAnalysis || cookie != nil || !useServerRules.isEmpty }
    /// The backend's `tcp-request content` rules, run after switching.
    public let contentRules: [TCPRule]
    /// `option http-buffer-request`: the body is awaited before the
    /// backend's rules.
    public let buffersRequest: Bool
    /// `option accept-invalid-http-request` (frontend) or
    /// `accept-invalid-http-response` (backend): the parser is lenient.
    public let acceptsInvalidMessages: Bool
    /// The backend's statistics page, checked after its rules.
    public let statsPage: HTTPStatsPagePolicy?
    /// Header names respelt for servers (`option h1-case-adjust-bogus-server`).
    public let headerCase: HTTPHeaderCase?
    /// `compression` lines, nil without any.
    public let compression: CompressionPolicy?

    public init(
        index: Int, config: ProxyConfig, dynamicCookies: [String: String] = [:], errorPages: [Int: HTTPErrorReply],
        id: Int = 0, headerCase: HTTPHeaderCase? = nil
    ) {
        self.headerCase = config.options.headerCaseAdjustServer ? headerCase : nil
        self.index = index
        self.id = id
        originalTo = config.options.originalTo
        restrictHeaderNames = config.options.restrictHeaderNames
        name = config.name
        requestRules = config.httpRequestRules + config.redirectRules
        responseRules = config.httpResponseRules
        afterResponseRules = config.httpAfterResponseRules
        cookie = config.cookie
        var byCookie: [String: String] = [:], byServer: [String: String] = [:]
        for server in config.servers {
            guard let value = server.options.cookie ?? dynamicCookies[server.name] else { continue }
            if byCookie[value] == nil { byCookie[value] = server.name }
            byServer[server.name] = value
        }
        serverByCookie = byCookie
        cookieByServer = byServer
        persist = config.options.persist
        forcePersist = config.forcePersist
        ignorePersist = config.ignorePersist
        useServerRules = config.useServerRules
        stickingRules = config.stickingRules
        storesResponses = config.stickingRules.contains { $0.kind == .storeResponse }
        serverNames = Set(config.servers.map(\.name))
        contentRules = config.tcpRequestContentRules
        buffersRequest = config.options.httpBufferRequest
        acceptsInvalidMessages = config.options.acceptInvalidHTTPResponse
        statsPage = config.mode == .http ? config.statsPage.map { HTTPStatsPagePolicy(config: $0, proxyName: config.name) } : nil
        timeouts = config.timeouts
        connectionMode = config.options.httpConnectionMode
        pretendsKeepAlive = config.options.httpPretendKeepAlive
        forwardFor = config.options.forwardFor
        abortOnClose = config.options.abortOnClose
        reuse = config.httpReuse
        sendNameHeader = config.sendNameHeader.map { Array($0.utf8) }
        retries = config.retries
        retryOn = config.retryOn
        retriesSentRequests = config.mode == .http && config.retryOn.needsSentRequest
        isTCP = config.mode == .tcp
        self.errorPages = errorPages
        compression = CompressionPolicy(config.compression)
    }

    /// Whether the backend looks at requests before the server (its rules
    /// or its header-name restriction).
    public var hasRequestAnalysis: Bool {
        !requestRules.isEmpty || restrictHeaderNames != .preserve || buffersRequest || statsPage != nil
    }
}
