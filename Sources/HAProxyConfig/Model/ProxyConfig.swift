import HAProxyRules
/// What a proxy section can do: a `frontend` accepts, a `backend` owns
/// servers, a `listen` does both.
public struct ProxyCapabilities: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let frontend = ProxyCapabilities(rawValue: 1)
    public static let backend = ProxyCapabilities(rawValue: 2)
    public static let listen: ProxyCapabilities = [.frontend, .backend]
}

public enum ProxyMode: String, Sendable, Equatable { case tcp, http }

/// A `frontend`, `backend`, `listen` or `defaults` section.
///
/// A proxy starts as a copy of the defaults section in force (the last
/// anonymous one, or the one named by `from`), as HAProxy does, then its
/// own keywords override.
public struct ProxyConfig: Sendable {
    public var name: String
    public var capabilities: ProxyCapabilities
    /// True for a `defaults` section.
    public var isDefaults = false
    public var location: SourceLocation
    public var id: Int?
    public var description: String?
    public var disabled = false

    public var mode: ProxyMode = .tcp
    public var binds: [BindConfig] = []
    public var servers: [ServerConfig] = []
    public var defaultServer = ServerOptions()
    public var defaultBackend: String?
    /// `use_backend` rules, in declaration order.
    public var switchingRules: [SwitchingRule] = []

    public var balance = BalanceConfig()
    public var timeouts = Timeouts()
    public var maxconn: Int?
    /// `rate-limit sessions`: new sessions per second this frontend accepts; 0 for none.
    public var rateLimitSessions: UInt32 = 0
    public var fullconn: Int?
    public var backlog: Int?
    /// `retries N` (3 by default).
    public var retries = 3
    /// `retry-on`: what failures are retried (`mode http` only).
    public var retryOn: RetryOn = .connFailure
    public var options = ProxyOptions()
    /// `max-keep-alive-queue`: with `prefer-last-server`, the queue length
    /// at which a keep-alive request goes to another server (-1: none).
    public var maxKeepAliveQueue = -1
    /// `clitcpka-*` and `srvtcpka-*`: the keep-alive probes' timers.
    public var clientKeepAliveTimers = TCPKeepAliveTimers()
    public var serverKeepAliveTimers = TCPKeepAliveTimers()
    public var httpReuse: HTTPReuse = .safe
    /// `http-send-name-header`: the request header naming the server it goes to.
    public var sendNameHeader: String?
    /// `compression algo|type|offload`; nil when the proxy has none.
    public var compression: CompressionConfig?
    /// `cookie NAME ...`: cookie-based persistence.
    public var cookie: CookiePersistence?
    /// `dynamic-cookie-key KEY`, for `cookie ... dynamic`.
    public var dynamicCookieKey: String?
    /// `force-persist` and `ignore-persist` conditions, in order.
    public var forcePersist: [Condition] = []
    public var ignorePersist: [Condition] = []
    /// `use-server` rules, in order.
    public var useServerRules: [UseServerRule] = []
    /// The proxy's named ACLs (`acl NAME ...`).
    public var acls = ACLTable()
    /// `stick-table`: the proxy's table, named after it.
    public var stickTable: StickTableConfig?
    /// `stick on|match|store-request` rules, in order.
    public var stickingRules: [StickingRule] = []
    /// Fetches naming a `userlist`, in the order they were parsed.
    public var userlistReferences: [UserlistReference] = []
    public var stickTableReferences: [StickTableReference] = []
    public var httpRequestRules: [HTTPRule] = []
    public var httpResponseRules: [HTTPRule] = []
    public var httpAfterResponseRules: [HTTPRule] = []
    /// The proxy-level `redirect` rules (run after `http-request` rules).
    public var redirectRules: [HTTPRule] = []
    /// `tcp-request connection` rules: at accept, on addresses only.
    public var tcpRequestConnectionRules: [TCPRule] = []
    /// `tcp-request session` rules: once the session is set up (after a
    /// PROXY header).
    public var tcpRequestSessionRules: [TCPRule] = []
    /// `tcp-request content` rules: on the request contents, waiting up
    /// to `tcpRequestInspectDelay` for them.
    public var tcpRequestContentRules: [TCPRule] = []
    /// `tcp-response content` rules (backends): on the response contents.
    public var tcpResponseContentRules: [TCPRule] = []
    /// `tcp-request inspect-delay`, in milliseconds (nil: none, the rules
    /// decide on what the first read brings).
    public var tcpRequestInspectDelay: Int?
    /// `tcp-response inspect-delay`, in milliseconds.
    public var tcpResponseInspectDelay: Int?
    /// `errorfile`, `errorfiles`, `errorloc*` and `http-error` lines, in
    /// order (see `errorPages(sections:)`).
    public var errorPageDirectives: [ErrorPageDirective] = []
    public var healthCheck = HealthCheckConfig()
    public var logs: [LogTargetConfig] = []
    /// `no log` in this section.
    public var noLog = false
    public var logFormat: String?
    /// Where `log-format` was set, for the errors of its `%[...]` samples.
    public var logFormatLocation: SourceLocation?
    public var errorLogFormat: String?
    public var logFormatSD: String?
    /// `unique-id-format` (a log-format string) and where it was set.
    public var uniqueIDFormat: String?
    public var uniqueIDFormatLocation: SourceLocation?
    /// `unique-id-header`.
    public var uniqueIDHeader: String?
    public var logTag: String?
    /// The defaults section this proxy was copied from (`from NAME`, or the
    /// name of the last defaults section; nil for an anonymous one or none).
    public var fromDefaults: String?
    /// Request capture slots (`capture request header`, `declare capture
    /// request`, `http-request capture ... len`), in declaration order.
    public var captureRequestHeaders: [CapturedHeader] = []
    /// Response capture slots (`capture response header`, `declare
    /// capture response`), in declaration order.
    public var captureResponseHeaders: [CapturedHeader] = []
    /// `monitor-uri PATH`: answered 200 by the proxy itself.
    public var monitorURI: String?
    /// `monitor fail if|unless <cond>`: a probe of `monitor-uri` gets a
    /// 503 when one of them holds.
    public var monitorFail: [Condition] = []
    /// `source <addr>[:<port>]`: the local address of connections to the
    /// servers and of their health checks.
    public var source: SourceAddress?

    /// Whether the listeners delay the ACK of a request (`option
    /// tcp-smart-accept`, by default in `mode http`).
    public var smartAccepts: Bool { options.tcpSmartAcceptChoice ?? (mode == .http) }
    /// The statistics page (`stats *` keywords), nil when none is enabled.
    public var statsPage: StatsPageConfig?
    /// `load-server-state-from-file global|local|none` (nil: not set, as none).
    public var loadServerState: ServerStateSource?
    /// `server-state-file-name NAME` for `local` (nil or `use-backend-name`:
    /// the backend's name).
    public var serverStateFileName: String?

    public init(name: String, capabilities: ProxyCapabilities, location: SourceLocation) {
        self.name = name
        self.capabilities = capabilities
        self.location = location
    }

    /// The section keyword HAProxy uses in messages: `frontend`, `backend`, `listen`, `defaults`.
    /// The section as 2.6 names it in its TCP rule messages: "proxy" for
    /// a listen section ("... rules in proxy 'l'").
    public var ruleMessageKind: String {
        !isDefaults && capabilities == .listen ? "proxy" : sectionName
    }

    public var sectionName: String {
        if isDefaults { return "defaults" }
        switch capabilities {
        case .listen: return "listen"
        case .frontend: return "frontend"
        default: return "backend"
        }
    }
}

/// Where a backend takes its servers' state from at start.
public enum ServerStateSource: String, Sendable, Equatable { case global, local, none }

/// `http-reuse never|safe|aggressive|always`.
public enum HTTPReuse: String, Sendable, Equatable { case never, safe, aggressive, always }

/// An `errorfile` as loaded: the raw file bytes; the HTTP module validates them.
public struct ErrorFile: Sendable, Equatable {
    public var path: String
    public var bytes: [UInt8]
    public var location: SourceLocation

    public init(path: String, bytes: [UInt8], location: SourceLocation) {
        self.path = path
        self.bytes = bytes
        self.location = location
    }
}

/// Every `timeout` of a proxy, in milliseconds; nil when unset.
public struct Timeouts: Sendable, Equatable {
    public var connect: Int?
    public var client: Int?
    public var server: Int?
    public var tunnel: Int?
    public var clientFin: Int?
    public var serverFin: Int?
    public var httpRequest: Int?
    public var httpKeepAlive: Int?
    public var queue: Int?
    public var check: Int?
    /// `timeout tarpit`: how long `http-request tarpit` holds a request.
    public var tarpit: Int?

    public init() {}

    /// How long a request is tarpitted: `timeout tarpit`, else the
    /// proxy's own `timeout connect` (manual 4.2 `timeout tarpit`), else
    /// not at all (recorded: a frontend with neither answers at once).
    public var tarpitDelay: Int { tarpit ?? connect ?? 0 }
}

/// `option ...` flags of a proxy (and `no option ...` to clear them).
public struct ProxyOptions: Sendable, Equatable {
    /// How HTTP connections are kept: `option http-keep-alive` (default),
    /// `option http-server-close`, `option httpclose`.
    public enum HTTPConnectionMode: Sendable, Equatable { case keepAlive, serverClose, close }

    public enum HTTPLog: Sendable, Equatable { case none, http, clf, https }

    /// `option forwardfor [except NET] [header NAME] [if-none]`.
    public struct ForwardFor: Sendable, Equatable {
        public var header = "x-forwarded-for"
        public var except: String?
        public var ifNone = false
        public init() {}
    }

    /// `option originalto [except NET] [header NAME]`.
    public struct OriginalTo: Sendable, Equatable {
        public var header = "x-original-to"
        public var except: String?
        public init() {}
    }

    /// `option http-restrict-req-hdr-names preserve|delete|reject`.
    public enum RestrictHeaderNames: String, Sendable, Equatable { case preserve, delete, reject }

    public var redispatch = false
    /// `option persist`: a persistence cookie may lead to a down server.
    public var persist = false
    public var abortOnClose = false
    public var allBackups = false
    public var httpConnectionMode: HTTPConnectionMode = .keepAlive
    public var forwardFor: ForwardFor?
    public var originalTo: OriginalTo?
    public var restrictHeaderNames: RestrictHeaderNames = .preserve
    public var httpLog: HTTPLog = .none
    public var tcpLog = false
    public var dontLogNull = false
    public var dontLogNormal = false
    public var logSeparateErrors = false
    public var logASAP = false
    public var logHealthChecks = false
    /// `option http-use-proxy-header`: a proxied request (its target is
    /// neither a path nor `*`) authenticates with `Proxy-Authorization`.
    public var httpUseProxyHeader = false
    /// `option http-buffer-request`: the request body is waited for
    /// before the proxy's `http-request` rules run.
    public var httpBufferRequest = false
    /// `option accept-invalid-http-request|response`: the parser's
    /// leniency (`HTTPHeadParser.lenient`).
    public var acceptInvalidHTTPRequest = false
    public var acceptInvalidHTTPResponse = false
    /// `option h1-case-adjust-bogus-client` (responses to clients) and
    /// `option h1-case-adjust-bogus-server` (requests to servers).
    public var headerCaseAdjustClient = false
    public var headerCaseAdjustServer = false
    /// `option http-ignore-probes`: a connection that closes or times out
    /// before sending its first request is neither answered, logged nor
    /// counted as an error.
    public var httpIgnoreProbes = false
    /// `option splice-request|response|auto`: in `mode tcp`, bytes go from
    /// one socket to the other with splice(2), not through the process:
    /// client to server, server to client, or both once a read fills a
    /// buffer (`auto`). HTTP bodies are not spliced.
    public var spliceRequest = false
    public var spliceResponse = false
    public var spliceAuto = false
    /// `option prefer-last-server`: a keep-alive request goes to the server
    /// the session's own idle connection leads to.
    public var preferLastServer = false
    /// `option clitcpka` (or `tcpka`): SO_KEEPALIVE on client connections.
    public var clientTCPKeepAlive = false
    /// `option srvtcpka` (or `tcpka`): SO_KEEPALIVE on server connections.
    public var serverTCPKeepAlive = false
    /// `option tcp-smart-accept`, `no option tcp-smart-accept`; nil: the
    /// default, on in `mode http` (2.6).
    public var tcpSmartAcceptChoice: Bool?
    /// The option as `option`/`no option` set it.
    public var tcpSmartAccept: Bool {
        get { tcpSmartAcceptChoice ?? false }
        set { tcpSmartAcceptChoice = newValue }
    }
    /// `option tcp-smart-connect`: a server connection's handshake ends
    /// with the request instead of an empty ACK.
    public var tcpSmartConnect = false
    /// `option disable-h2-upgrade`: the HTTP/2 connection preface is
    /// refused (400) instead of upgrading the connection. This build never
    /// upgrades an HTTP/1 connection to HTTP/2, so the parser refuses the
    /// preface (method PRI) either way; the option is kept as written.
    public var disableH2Upgrade = false
    /// `option http-pretend-keepalive` (backend): under `httpclose` or
    /// `http-server-close`, requests go to the server announced as in
    /// keep-alive mode (no `connection: close`; HTTP/1.0 ones with
    /// `connection: keep-alive`), and the proxy still closes the server
    /// connection after the response.
    public var httpPretendKeepAlive = false

    public init() {}
}
