import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import HAProxyTLS
import NIOCore

/// A server of a backend at run time: its resolved address, its state
/// (UP/DOWN from checks, maintenance/drain from the admin socket), its
/// counters and its pool of idle HTTP connections.
///
/// State is guarded by the owning `Backend`'s lock; the idle pool is kept
/// per event loop so that a stream only takes connections of its own loop.
public final class Server {
    /// Administrative state set from the configuration or the admin socket.
    public enum AdminState: Sendable { case ready, drain, maintenance }

    public let config: ServerConfig
    public let lb: LBServer
    public unowned let backend: Backend
    /// Address to connect to; nil port means "the port the client used".
    public internal(set) var address: SocketAddress
    public var name: String { config.name }
    public var isBackup: Bool { config.options.backup }

    /// Operational state from health checks (true when no checks run).
    public internal(set) var isUp = true {
        didSet { if !isUp { healthFromState = nil } }
    }
    public internal(set) var adminState: AdminState
    /// Maintenance and drain taken from the tracked server (`track`),
    /// passed down the chain: 2.6's IMAINT and IDRAIN.
    public internal(set) var inheritedMaintenance = false
    public internal(set) var inheritedDrain = false
    /// In maintenance, forced or through the server it tracks.
    var isInMaintenance: Bool { adminState == .maintenance || inheritedMaintenance }
    /// Set NOLB by `set server ... health stopping` or the page's "Health:
    /// force NOLB": up but out of load balancing until the next check that
    /// passes (or fails it down), as in 2.6.
    public internal(set) var healthStopping = false
    /// In maintenance because DNS gives no address (`init-addr none`, a
    /// name that stopped resolving): 2.6's RMAINT, "MAINT (resolution)".
    public internal(set) var inResolutionMaintenance = false {
        didSet {
            if inResolutionMaintenance {
                healthCleared = true
                healthFromState = nil
            }
        }
    }
    /// Set once the server was in maintenance for resolution: 2.6 then
    /// reports a health of 0 for a server without checks.
    var healthCleared = false
    /// The health a server state file left a running server with (2.6: rise
    /// + fall - 1), shown until the server stops or loses its address.
    var healthFromState: Int?
    /// The name a `resolvers` section keeps resolved (`set server fqdn`
    /// changes it); nil for servers without resolution.
    public internal(set) var fqdn: String?
    /// The name came from the CLI (`set server fqdn`) or an SRV record: 2.6
    /// then shows admin state bit 0x40 (HMAINT) in `show servers state`,
    /// without any other effect.
    var hostnameFlag = false
    /// The port of the SRV record the server follows (nil: none yet).
    public internal(set) var servicePort: Int?
    /// The server's name is an SRV name (`_service._proto.name`) kept
    /// resolved by a `resolvers` section.
    public var isService: Bool { config.options.resolvers != nil && config.host.hasPrefix("_") }

    /// Streams waiting for a connection slot on this server specifically
    /// (hash-based picks whose server is full).
    var queue = CircularBuffer<PendingStream>()
    /// Streams taken from `queue` so far (under the backend's lock).
    var dequeued = 0

    // Counters (under the backend lock).
    public internal(set) var currentConnections = 0
    public internal(set) var maxSeenConnections = 0
    /// Connection attempts, retries included (`stot`).
    public internal(set) var totalConnections = 0
    /// Times the load balancer chose this server (`lbtot`).
    public internal(set) var loadBalanced = 0
    /// Streams that gave up connecting here, no retry left (`econ`).
    public internal(set) var connectionErrors = 0
    public internal(set) var responseErrors = 0
    /// Transfers cut by the client or by this server (`cli_abrt`, `srv_abrt`).
    public internal(set) var clientAborts = 0
    public internal(set) var serverAborts = 0
    /// Responses refused by a `tcp-response content` rule (`dresp`).
    public internal(set) var deniedResponses = 0
    /// Failed connections followed by another attempt here (`wretr`).
    public internal(set) var retries = 0
    /// Failed connections followed by a move to another server (`wredis`).
    public internal(set) var redispatches = 0
    public internal(set) var bytesIn: UInt64 = 0
    public internal(set) var bytesOut: UInt64 = 0
    public internal(set) var downTransitions = 0
    public internal(set) var lastStateChange = NIODeadline.now()
    /// Checks failed while the server was up (`chkfail`).
    public internal(set) var failedChecks = 0
    /// `slowstart`: when the server came back up, while its weight and
    /// maxconn still grow (nil at full speed). Under the backend's lock.
    var warmupStart: NIODeadline?
    /// The warm-up's next step.
    var warmupStep: Scheduled<Void>?
    /// Time spent unusable before the last change to usable (`downtime`
    /// adds the current stretch when the server is down now).
    var downtimeBefore: TimeAmount = .zero
    /// Connection slots taken per second (`rate`, `rate_max`).
    var sessionRate = FrequencyCounter()
    /// HTTP responses this server sent, by class (`hrsp_*`).
    var responses = HTTPResponseCounters()
    /// HTTP requests this server answered (`req_tot`).
    var httpRequests = 0
    /// `RateClock` time of the last stream given this server (`lastsess`).
    var lastSessionMs: UInt64?
    /// Connections established, and idle connections taken over (`connect`, `reuse`).
    var newConnections = 0
    var reusedConnections = 0
    /// Queue, connect, response and total times (`qtime` ... `ttime_max`).
    var times = StreamTimeStats()

    let idlePool: IdleConnectionPool
    /// `ssl`: the context its connections start TLS with, built at load.
    var tls: TLSClientContext?
    /// `sni <expr>`: the server name sent, evaluated per connection.
    /// Connections are then not kept for reuse, since the next stream may
    /// need another name.
    var sni: SampleExpression?
    /// The TLS context health checks connect with, when they use TLS.
    var checkTLS: TLSClientContext?
    /// `track`: the server whose operational state this one follows, and
    /// the servers that follow this one (set when the runtime is built;
    /// `del server` takes a tracking server off, under the backend's lock).
    public internal(set) weak var tracked: Server?
    var trackers: [Server] = []
    /// Tracked in the configuration: `del server` refuses it for good, as
    /// 2.6 does, even once its tracking servers are gone.
    var isTrackedInConfiguration = false
    /// The server's health checker, when it has `check`.
    var checker: HealthChecker?
    /// Last check result, for the stats page (`check_status`).
    public internal(set) var lastCheck: HealthCheckResult?
    /// The server's `agent-check`, when it has one.
    var agent: AgentChecker?
    /// The agent said `down`, `fail` or `stopped` (and not `up` since).
    public internal(set) var agentDown = false
    /// The agent's address and port as `show servers state` gives them:
    /// `agent-addr` and `agent-port`, or what the CLI set since.
    public internal(set) var agentAddr: String?
    public internal(set) var agentPort = 0
    /// `disable agent`: the agent check is stopped and its columns empty.
    public internal(set) var agentDisabled = false
    /// Last agent check result, for the stats page (`agent_status`).
    public internal(set) var lastAgentCheck: HealthCheckResult?

    init(config: ServerConfig, index: Int, address: SocketAddress, backend: Backend) {
        self.config = config
        self.address = address
        self.backend = backend
        self.adminState = config.options.disabled ? .maintenance : .ready
        self.agentAddr = config.options.agentAddr
        self.agentPort = config.options.agentPort
        self.idlePool = IdleConnectionPool(limit: config.options.poolMaxConn < 0 ? nil : config.options.poolMaxConn)
        self.lb = LBServer(
            index: index,
            id: config.id,
            name: config.name,
            weight: config.options.weight,
            isBackup: config.options.backup,
            isUsable: !config.options.disabled,
            maxConnections: config.options.maxconn
        )
    }

    /// How far its warm-up is at `now` (0 to 1), nil when it is over or
    /// there is none. Under the backend's lock.
    func warmupRatio(at now: NIODeadline) -> Double? {
        guard let warmupStart, config.options.slowstartMs > 0 else { return nil }
        let elapsed = Double((now - warmupStart).nanoseconds) / 1_000_000
        let ratio = elapsed / Double(config.options.slowstartMs)
        return ratio < 1 ? max(ratio, 0) : nil
    }

    /// `throttle` of the statistics: the warm-up's share in percent, as
    /// 2.6 computes it when asked; nil at full speed. Under the lock.
    func throttle(at now: NIODeadline) -> Int? {
        guard lb.warmup != nil, let ratio = warmupRatio(at: now) else { return nil }
        return Int(ratio * 100)
    }

    /// Current connections (`srv_conn`), read under the backend's lock.
    var connectionCount: Int { backend.lock.withLock { currentConnections } }

    /// Whether the load balancer may send new traffic here.
    var isUsable: Bool {
        isUp && !agentDown && !healthStopping && adminState == .ready && !inheritedMaintenance && !inheritedDrain
            && !inResolutionMaintenance
    }

    /// Up and not in maintenance: takes the requests persistence (a
    /// cookie, `use-server`) names it for, and its own queue, even out of
    /// load balancing (DRAIN, NOLB, weight 0), as 2.6 does.
    var acceptsPersistent: Bool { isUp && !agentDown && !isInMaintenance && !inResolutionMaintenance }

    /// The address to connect to for a client that reached `localPort`.
    func destination(localPort: Int?) -> SocketAddress {
        // DNS and the CLI change the address from other threads, under the lock.
        let (address, servicePort) = backend.lock.withLock { (self.address, self.servicePort) }
        if config.port != nil || servicePort != nil { return address }
        guard let localPort else { return address }
        var target = address
        let port = localPort + (config.portOffset ?? 0)
        if var a = try? SocketAddress(ipAddress: address.ipAddress ?? "127.0.0.1", port: port) {
            swap(&target, &a)
        }
        return target
    }

    /// "UP", "DOWN", "MAINT", "DRAIN", "NOLB" as the stats page and logs say; a
    /// server with `agent-check` is "DOWN (agent)" when only its agent says
    /// so, and "DRAIN (agent)" when drained (by the agent or not), as in 2.6.
    public var statusText: String {
        switch adminState {
        case .maintenance: return "MAINT"
        case _ where inheritedMaintenance:
            return tracked.map { "MAINT (via \($0.backend.name)/\($0.name))" } ?? "MAINT"
        case _ where inResolutionMaintenance: return "MAINT (resolution)"
        case _ where agentDown && !agentDisabled: return "DOWN (agent)"  // even when its check fails too
        case _ where !isUp || agentDown: return "DOWN"
        case _ where healthStopping: return "NOLB"  // over DRAIN, as 2.6 shows it
        case .drain: return config.options.agentCheck ? "DRAIN (agent)" : "DRAIN"
        case .ready: return inheritedDrain ? "DRAIN" : "UP"
        }
    }
}

extension Server {
    /// The PROXY protocol header this server gets first (`send-proxy`,
    /// `send-proxy-v2`) for a client at `source` on `destination`; nil
    /// when it gets none.
    func proxyHeader(source: SocketAddress?, destination: SocketAddress?) -> ByteBuffer? {
        guard config.options.sendProxy || config.options.sendProxyV2 else { return nil }
        var header = ByteBufferAllocator().buffer(capacity: 64)
        ProxyProtocol.write(v2: config.options.sendProxyV2, source: source, destination: destination, into: &header)
        return header
    }
}
