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
    public let headLimits: HTTPHeadLimits
    public let captureRequestHeaders: [CapturedHeader]
    public let captureResponseHeaders: [CapturedHeader]
    /// `monitor-uri`: its probes and answer.
    public let monitor: MonitorResponse?
    public let proxyName: String
    /// `http-request` rules, then the `redirect` rules (run after them).
    public let requestRules: [HTTPRule]
    public let redirectRules: [HTTPRule]
    public let responseRules: [HTTPRule]
    public let afterResponseRules: [HTTPRule]
    /// `use_backend` rules with their targets resolved where named.
    public let switchingRules: [(target: SwitchingTarget, condition: Condition?)]
    /// Error responses for errors raised before a backend is chosen.
    public let errorPages: [Int: ByteBuffer]
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
    /// The configuration's `userlist` sections by name (`http_auth(L)`).
    public let userlists: [String: Userlist]
    /// `option http-use-proxy-header`: proxied requests authenticate
    /// with `Proxy-Authorization` and are challenged with a 407.
    public let usesProxyHeader: Bool

    public init(
        config: ProxyConfig, headLimits: HTTPHeadLimits, errorPages: [Int: ByteBuffer],
        defaultBackend: HTTPBackendPolicy?, userlists: [Userlist] = [],
        backendNamed: (String) -> HTTPBackendPolicy?
    ) {
        timeouts = config.timeouts
        connectionMode = config.options.httpConnectionMode
        forwardFor = config.options.forwardFor
        self.headLimits = headLimits
        captureRequestHeaders = config.captureRequestHeaders
        captureResponseHeaders = config.captureResponseHeaders
        monitor = config.mode == .http ? config.monitorURI.map(MonitorResponse.init(uri:)) : nil
        proxyName = config.name
        requestRules = config.httpRequestRules
        redirectRules = config.redirectRules
        responseRules = config.httpResponseRules
        afterResponseRules = config.httpAfterResponseRules
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
        hasRequestAnalysis = !requestRules.isEmpty || !redirectRules.isEmpty || !switchingRules.isEmpty
        self.userlists = Dictionary(userlists.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        usesProxyHeader = config.options.httpUseProxyHeader
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
    public let forwardFor: ProxyOptions.ForwardFor?
    public let abortOnClose: Bool
    public let reuse: HTTPReuse
    public let retries: Int
    /// A `mode tcp` backend cannot serve an HTTP frontend.
    public let isTCP: Bool
    public let errorPages: [Int: ByteBuffer]

    public let name: String
    /// The backend's own rules: run when it is not the frontend's own
    /// proxy (a `listen` runs its rules once).
    public let requestRules: [HTTPRule]
    public let responseRules: [HTTPRule]
    public let afterResponseRules: [HTTPRule]

    public init(index: Int, config: ProxyConfig, errorPages: [Int: ByteBuffer]) {
        self.index = index
        name = config.name
        requestRules = config.httpRequestRules + config.redirectRules
        responseRules = config.httpResponseRules
        afterResponseRules = config.httpAfterResponseRules
        timeouts = config.timeouts
        connectionMode = config.options.httpConnectionMode
        forwardFor = config.options.forwardFor
        abortOnClose = config.options.abortOnClose
        reuse = config.httpReuse
        retries = config.retries
        isTCP = config.mode == .tcp
        self.errorPages = errorPages
    }
}
