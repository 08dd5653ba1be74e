#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HAProxyConfig
import HAProxyHTTP
import HAProxyRules
import HAProxyTables
import NIOConcurrencyHelpers
import HAProxyObservability
import HAProxyIO
import HAProxyTLS
import NIOCore

/// A frontend (or the front half of a `listen`) at run time: its bound
/// listeners, the backend it routes to, its HTTP rules and its counters.
public final class Frontend {
    public let config: ProxyConfig
    public var name: String { config.name }
    weak var runtime: ProxyRuntime?
    /// `use_backend` (unconditional) or `default_backend`, or itself for `listen`.
    let backend: Backend?
    /// What its HTTP streams ask of it: answers, error pages, timeouts.
    let httpPolicy: HTTPFrontendPolicy
    var listeners: [Listener] = []
    /// `option clitcpka`/`tcpka` with `clitcpka-*`: set on its listening
    /// sockets, whose accepted connections inherit it.
    let clientKeepAlive: TCPKeepAlive?
    /// The TLS contexts of its `ssl` bind lines, by the line's location.
    var tlsContexts: [SourceLocation: TLSServerContext] = [:]
    /// This proxy's log targets and format, nil when it logs nothing.
    var log: ProxyLog?
    /// The process's request numbers (`%rt`), held here so that a request
    /// takes one without reaching the runtime through its weak reference.
    var requestCounter: RequestCounter?
    /// The process's streams (`show sess`) and its rates, held here for the
    /// same reason: a connection reaches them without the weak reference.
    var activeStreams: ActiveStreams?
    var processRates: ProcessRates?
    /// The process's backends, by `HTTPBackendPolicy.index` (all of them
    /// exist before the frontends are made).
    var backendsByIndex: [Backend] = []

    /// The process's backend at `index` (`HTTPBackendPolicy.index`), nil
    /// for none.
    func backend(at index: Int?) -> Backend? {
        guard let index, index < backendsByIndex.count else { return nil }
        return backendsByIndex[index]
    }

    private let lock = NIOLock()
    public private(set) var currentConnections = 0
    /// Connections accepted (`conn_tot`).
    public private(set) var totalConnections = 0
    /// Sessions started (`stot`): connections that passed the
    /// `tcp-request connection` and `session` rules.
    public private(set) var totalSessions = 0
    /// Connections and sessions refused by `tcp-request connection` and
    /// `tcp-request session` rules (`dcon`, `dses`).
    public private(set) var deniedConnections = 0
    public private(set) var deniedSessions = 0
    /// Responses refused by a `tcp-response content` rule (`dresp`).
    public private(set) var deniedResponses = 0
    /// `compression`: the bytes given to the encoder and those it
    /// produced (`comp_in`, `comp_out`), and the responses it encoded
    /// (`comp_rsp`).
    public private(set) var compression = CompressionCounters()
    public private(set) var maxSeenConnections = 0
    public private(set) var totalRequests = 0
    public private(set) var deniedRequests = 0
    /// Requests that failed before their head was complete (`ereq`).
    public private(set) var requestErrors = 0
    /// Requests the proxy answered itself (`monitor-uri` probes).
    public private(set) var interceptedRequests = 0
    public private(set) var bytesIn: UInt64 = 0
    public private(set) var bytesOut: UInt64 = 0
    /// New sessions per second (`rate`; also `conn_rate`: each accepted
    /// connection starts a session at once in this build).
    private(set) var sessionRate = FrequencyCounter()
    /// Sessions per second as `fe_sess_rate` reads them: counted once the
    /// `tcp-request connection` and `session` rules admitted the
    /// connection (2.6 reads 0 in those rules for the first one), where
    /// `sessionRate` counts at the accept.
    private(set) var startedSessionRate = FrequencyCounter()
    /// HTTP requests per second (`req_rate`).
    private(set) var requestRate = FrequencyCounter()
    /// Responses sent, by status class (`hrsp_*`).
    private(set) var responses = HTTPResponseCounters()
    /// Bytes sent to clients per second, in 32-byte units as HAProxy's
    /// `out_32bps` (`show info` BytesOutRate); counted as transactions end.
    private(set) var bytesOutRate = FrequencyCounter()
    private var paused = false
    /// `maxconn` in force; `set maxconn frontend` changes it.
    public private(set) var maxconn: Int?
    /// Stopped by `disable frontend` until `enable frontend`.
    public private(set) var adminDisabled = false

    init(config: ProxyConfig, backend: Backend?, httpPolicy: HTTPFrontendPolicy) {
        self.config = config
        self.backend = backend
        self.httpPolicy = httpPolicy
        self.maxconn = config.maxconn
        self.clientKeepAlive = TCPKeepAlive(
            enabled: config.options.clientTCPKeepAlive, config.clientKeepAliveTimers)
    }

    private func startHTTPSession(
        _ client: StreamConnection, on loop: IOLoop, socket: IOConnection, listener: ListenerView,
        variables: StreamVariables?, tls: TLSEngine?
    ) -> HTTPSession {
        let session = HTTPSession(
            frontend: self, client: client, on: loop, socket: socket, listener: listener, variables: variables,
            tls: tls)
        activeStreams?.add(session, frontend: self, client: client, on: loop)
        return session
    }

    /// Starts a stream on a connection the I/O driver accepted (on `loop`,
    /// which owns `fd` from now on).
    func accepted(fd: CInt, on loop: IOLoop, listener: Listener, peer: SocketAddress?, local: SocketAddress?) {
        let io: IOConnection
        do {
            io = try IOConnection(fd: fd, on: loop, remoteAddress: peer, localAddress: local, registering: false)
        } catch {
            Glibc.close(fd)
            return
        }
        if let context = listener.tls {
            // An `ssl` bind: the stream reads and writes through the record layer.
            guard let engine = context.makeEngine() else {
                io.close()
                return
            }
            let connection = TLSDriverConnection(io, engine: engine)
            let now = RateClock.milliseconds(loop.now)
            guard let (acceptProxy, sessionVariables) = admit(connection, socket: io, listener: listener, now: now)
            else { return }
            // The PROXY header comes in clear before the TLS handshake.
            engine.expectsProxyHeader = acceptProxy
            startStream(
                connection, on: loop, socket: io, listener: listener, variables: sessionVariables, tls: engine,
                acceptProxy: acceptProxy) { connection.owner = $0 }
            io.readThenRegister()
            return
        }
        let connection = DriverConnection(io, side: .client, owner: nil)
        // The listener's configuration is read in place, not copied.
        let now = RateClock.milliseconds(loop.now)
        guard let (acceptProxy, sessionVariables) = admit(connection, socket: io, listener: listener, now: now)
        else { return }
        startStream(
            connection, on: loop, socket: io, listener: listener, variables: sessionVariables, tls: nil,
            acceptProxy: acceptProxy
        ) { connection.owner = $0 }
        io.readThenRegister()
    }

    /// Starts the stream of a connection accepted on the driver, made the
    /// connection's owner (`own`) before it starts.
    private func startStream(
        _ connection: StreamConnection, on loop: IOLoop, socket: IOConnection, listener: Listener,
        variables: StreamVariables?, tls: TLSEngine?, acceptProxy: Bool, own: (ConnectionOwner) -> Void
    ) {
        switch config.mode {
        case .tcp:
            let stream = startTCPStream(
                connection, on: loop, socket: socket, listener: listener, variables: variables, tls: tls)
            own(stream)
            stream.start(acceptProxy: acceptProxy)
        case .http:
            let session = startHTTPSession(
                connection, on: loop, socket: socket, listener: listener.view, variables: variables, tls: tls)
            own(session)
            session.start(acceptProxy: acceptProxy)
        }
    }

    private func startTCPStream(
        _ client: StreamConnection, on loop: IOLoop, socket: IOConnection, listener: Listener,
        variables: StreamVariables?, tls: TLSEngine?
    ) -> TCPStream {
        let stream = TCPStream(
            frontend: self, client: client, on: loop, backend: backend, variables: variables ?? StreamVariables(),
            socket: socket, listener: listener.view, tls: tls)
        activeStreams?.add(stream, frontend: self, client: client, on: loop)
        return stream
    }

    /// Counts a new connection, logs it with `option logasap`-style
    /// accept logging, and runs the `tcp-request connection` and
    /// `session` rules. Returns whether a PROXY header is expected and the
    /// session's variables, or nil when a rule refused the connection
    /// (then closed).
    private func admit(
        _ client: StreamConnection, socket: IOConnection, listener: Listener, now: UInt64
    ) -> (Bool, StreamVariables?)? {
        let bind = listener.bind
        // Counted before the rules, which see it in `dst_conn`.
        listener.view.connectionOpened()
        let hasRules = !config.tcpRequestConnectionRules.isEmpty || !config.tcpRequestSessionRules.isEmpty
        let overLimit: Bool = lock.withLock {
            currentConnections += 1
            totalConnections += 1
            // Without rules the session is admitted with its connection.
            if !hasRules {
                totalSessions += 1
                startedSessionRate.add(now: now)
            }
            maxSeenConnections = max(maxSeenConnections, currentConnections)
            if let maxconn, currentConnections >= maxconn, !paused {
                paused = true
                return true
            }
            return false
        }
        runtime?.connectionOpened()
        if overLimit { setAccepting(false) }
        if let log, log.logsAtAccept {
            var record = LogRecord()
            (record.clientAddress, record.clientPort) = LogAddress.from(client.remoteAddress)
            (record.frontendAddress, record.frontendPort) = LogAddress.from(client.localAddress)
            record.frontendName = name
            record.isHTTP = config.mode == .http
            log.logConnection(record)
        }
        var acceptProxy = bind.acceptProxy
        // A stream's variables exist once a rule may set them: connection
        // rules here, the HTTP rules later on their first run.
        var sessionVariables: StreamVariables?
        if hasRules {
            let variables = StreamVariables()
            let context = TCPRuleContext(
                frontend: self, client: client.remoteAddress, local: client.localAddress, listener: listener.view,
                variables: variables)
            context.clientConnection = socket
            context.threadIndex = socket.loop.index
            var verdict = TCPRuleRunner.run(config.tcpRequestConnectionRules, on: context, expectProxy: &acceptProxy)
            var atSession = false
            if verdict != .reject && verdict != .silentDrop {
                verdict = TCPRuleRunner.run(config.tcpRequestSessionRules, on: context)
                atSession = true
            }
            if verdict == .reject || verdict == .silentDrop {
                lock.withLock {
                    // 2.6 counts a silent drop as a denied request, a
                    // reject by the level that refused.
                    if verdict == .silentDrop {
                        deniedRequests += 1
                    } else if atSession {
                        deniedSessions += 1
                    } else {
                        deniedConnections += 1
                    }
                }
                variables.trackedCounters?.endSession()
                refuse(client, listener: listener.view, silently: verdict == .silentDrop)
                return nil
            }
            sessionVariables = variables
            lock.withLock {
                totalSessions += 1
                startedSessionRate.add(now: now)
            }
        }
        return (acceptProxy, sessionVariables)
    }

    /// Closes a connection a `tcp-request connection` or `session` rule
    /// rejected: at once, with a reset (or a `silent-drop`), and without
    /// a log line (2.6).
    private func refuse(_ client: StreamConnection, listener: ListenerView, silently: Bool) {
        if silently { client.silentDrop() } else { client.reset() }
        listener.connectionClosed()
        connectionEnded()
    }

    func streamEnded(_ stream: ActiveStream, listener: ListenerView) {
        listener.connectionClosed()
        activeStreams?.remove(stream)
        connectionEnded()
    }

    private func connectionEnded() {
        let resume: Bool = lock.withLock {
            currentConnections -= 1
            if paused, let maxconn, currentConnections < maxconn {
                paused = false
                return true
            }
            return false
        }
        runtime?.connectionClosed()
        if resume { setAccepting(true) }
    }

    /// A listener of this frontend accepted a connection (on the
    /// listener's loop, before the stream starts).
    func countAcceptedConnection(now: UInt64) {
        lock.withLock { _ = sessionRate.add(now: now) }
    }

    /// A listener accepted a connection: it counts in the process's rates
    /// and in this frontend's.
    func countAcceptedByListener(now: UInt64) {
        processRates?.countAccepted(now: now)
        countAcceptedConnection(now: now)
    }

    /// What this frontend's and the process's rate limits let a listener
    /// accept at `now`.
    func listenerAllowance(now: UInt64) -> AcceptAllowance {
        acceptAllowance(now: now).combined(with: processRates?.allowance(now: now) ?? .unlimited)
    }

    /// What `rate-limit sessions` lets the listeners accept at `now`.
    func acceptAllowance(now: UInt64) -> AcceptAllowance {
        let limit = config.rateLimitSessions
        guard limit > 0 else { return .unlimited }
        return lock.withLock { AcceptAllowance.under(limit, sessionRate, now: now) }
    }

    /// - Parameter invalid: the request failed before its head was
    ///   complete (`ereq`).
    func countRequest(denied: Bool = false, invalid: Bool = false, now: UInt64) {
        lock.withLock {
            totalRequests += 1
            requestRate.add(now: now)
            if denied { deniedRequests += 1 }
            if invalid { requestErrors += 1 }
        }
    }

    /// This frontend's session and request rates now (`fe_sess_rate`,
    /// `fe_req_rate`).
    var rates: FrontendRates {
        let now = RateClock.now
        return lock.withLock {
            FrontendRates(sessions: Int(startedSessionRate.rate(now: now)), requests: Int(requestRate.rate(now: now)))
        }
    }

    /// A request denied by a rule (`dreq`).
    func countDenied() {
        lock.withLock { deniedRequests += 1 }
    }

    /// A `mode tcp` stream ended: the bytes it moved (`bin`, `bout`);
    /// `now` in `RateClock` time.
    func countTCPStream(bytesIn: UInt64, bytesOut: UInt64, now: UInt64) {
        let units = UInt32(clamping: (bytesOut &+ 16) / 32)
        lock.withLock {
            self.bytesIn &+= bytesIn
            self.bytesOut &+= bytesOut
            bytesOutRate.add(units, now: now)
        }
    }

    /// A response body the proxy compressed.
    func countCompression(in bytesIn: UInt64, out bytesOut: UInt64) {
        lock.withLock { compression.add(in: bytesIn, out: bytesOut) }
    }

    /// A response refused by a `tcp-response content` rule (`dresp`).
    func countDeniedResponse() {
        lock.withLock { deniedResponses += 1 }
    }

    /// Current connections, read under the lock (`fe_conn`).
    var currentConnectionCount: Int { lock.withLock { currentConnections } }

    /// A request was answered by the proxy itself (`intercepted`).
    func countIntercepted() {
        lock.withLock { interceptedRequests += 1 }
    }

    /// An HTTP transaction ended: its response status (0 or less when none
    /// was sent) and the bytes it moved; `now` in `RateClock` time.
    func countTransaction(status: Int, bytesIn: UInt64, bytesOut: UInt64, now: UInt64) {
        let units = UInt32(clamping: (bytesOut &+ 16) / 32)
        lock.withLock {
            if status > 0 { responses.count(status: status) }
            self.bytesIn &+= bytesIn
            self.bytesOut &+= bytesOut
            bytesOutRate.add(units, now: now)
        }
    }

    /// Current connections (`feconn`), read under the lock: the streams of
    /// every event loop change it.
    var connectionCount: Int { lock.withLock { currentConnections } }

    /// Reads counters kept under the frontend's lock.
    func withCounters<T>(_ body: (Frontend) -> T) -> T {
        lock.withLock { body(self) }
    }

    /// Pauses or resumes accepting on every listener of this frontend.
    @discardableResult
    func setAccepting(_ on: Bool) -> [EventLoopFuture<Void>] {
        listeners.compactMap { $0.setAccepting(on && !adminDisabled) }
    }

    /// `disable frontend` / `enable frontend`; false if already in that state.
    func setAdminDisabled(_ disabled: Bool) -> Bool {
        let changed: Bool = lock.withLock {
            guard adminDisabled != disabled else { return false }
            adminDisabled = disabled
            return true
        }
        if changed { for listener in listeners { listener.setAccepting(!disabled && !paused) } }
        return changed
    }

    /// `set maxconn frontend`.
    func setMaxconn(_ value: Int) {
        let resume: Bool = lock.withLock {
            maxconn = value
            if paused, currentConnections < value {
                paused = false
                return true
            }
            return false
        }
        if resume { setAccepting(true) }
    }

    /// `clear counters` (maximums) or `clear counters all` (everything).
    func clearCounters(all: Bool) {
        lock.withLock {
            maxSeenConnections = currentConnections
            sessionRate.clearPeak()
            requestRate.clearPeak()
            if all {
                totalConnections = 0
                totalSessions = 0
                totalRequests = 0
                deniedRequests = 0
                requestErrors = 0
                deniedConnections = 0
                deniedSessions = 0
                deniedResponses = 0
                compression = CompressionCounters()
                interceptedRequests = 0
                bytesIn = 0
                bytesOut = 0
                responses = HTTPResponseCounters()
            }
        }
    }
}
