import HAProxyConfig
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
    /// Prebuilt `http-request return` / `deny` answers, by rule index.
    public let ruleResponses: [RuleResponse]
    /// Error responses for errors raised before a backend is chosen.
    public let errorPages: [Int: ByteBuffer]
    /// `use_backend` (unconditional) or `default_backend`, or the proxy
    /// itself for `listen`.
    public let defaultBackend: HTTPBackendPolicy?

    public init(
        config: ProxyConfig, headLimits: HTTPHeadLimits, errorPages: [Int: ByteBuffer],
        ruleResponses: [RuleResponse], defaultBackend: HTTPBackendPolicy?
    ) {
        timeouts = config.timeouts
        connectionMode = config.options.httpConnectionMode
        forwardFor = config.options.forwardFor
        self.headLimits = headLimits
        captureRequestHeaders = config.captureRequestHeaders
        captureResponseHeaders = config.captureResponseHeaders
        monitor = config.mode == .http ? config.monitorURI.map(MonitorResponse.init(uri:)) : nil
        self.ruleResponses = ruleResponses
        self.errorPages = errorPages
        self.defaultBackend = defaultBackend
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

    public init(index: Int, config: ProxyConfig, errorPages: [Int: ByteBuffer]) {
        self.index = index
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
