import HAProxyConfig
import HAProxyHTTP
import NIOConcurrencyHelpers
import HAProxyObservability
import NIOCore

/// A frontend (or the front half of a `listen`) at run time: its bound
/// listeners, the backend it routes to, its HTTP rules and its counters.
public final class Frontend {
    public let config: ProxyConfig
    public var name: String { config.name }
    weak var runtime: ProxyRuntime?
    /// `use_backend` (unconditional) or `default_backend`, or itself for `listen`.
    let backend: Backend?
    /// Error responses for errors raised before a backend is chosen.
    let errorPages: [Int: ByteBuffer]
    /// Prebuilt `http-request return` / `deny` answers, by rule index.
    let ruleResponses: [RuleResponse]
    var listeners: [Listener] = []
    /// This proxy's log targets and format, nil when it logs nothing.
    var log: ProxyLog?

    private let lock = NIOLock()
    public private(set) var currentConnections = 0
    public private(set) var totalConnections = 0
    public private(set) var maxSeenConnections = 0
    public private(set) var totalRequests = 0
    public private(set) var deniedRequests = 0
    public private(set) var bytesIn: UInt64 = 0
    public private(set) var bytesOut: UInt64 = 0
    private var paused = false
    /// `maxconn` in force; `set maxconn frontend` changes it.
    public private(set) var maxconn: Int?
    /// Stopped by `disable frontend` until `enable frontend`.
    public private(set) var adminDisabled = false

    init(config: ProxyConfig, backend: Backend?, errorPages: [Int: ByteBuffer], ruleResponses: [RuleResponse]) {
        self.config = config
        self.backend = backend
        self.errorPages = errorPages
        self.ruleResponses = ruleResponses
        self.maxconn = config.maxconn
    }

    /// Starts a stream on a newly accepted connection (on its event loop).
    func accepted(_ channel: Channel, bind: BindConfig) throws {
        let overLimit: Bool = lock.withLock {
            currentConnections += 1
            totalConnections += 1
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
            (record.clientAddress, record.clientPort) = LogAddress.from(channel.remoteAddress)
            (record.frontendAddress, record.frontendPort) = LogAddress.from(channel.localAddress)
            record.frontendName = name
            record.isHTTP = config.mode == .http
            log.logConnection(record)
        }
        switch config.mode {
        case .tcp:
            let stream = TCPStream(frontend: self, client: channel, backend: backend)
            try channel.pipeline.syncOperations.addHandler(RelayHandler(side: .client, owner: stream))
            runtime?.streams.add(stream, frontend: self, client: channel) { [weak stream] in (stream?.backend?.name, stream?.server) }
            stream.start(acceptProxy: bind.acceptProxy)
        case .http:
            let session = HTTPSession(frontend: self, client: channel, backend: backend)
            try channel.pipeline.syncOperations.addHandler(RelayHandler(side: .client, owner: session))
            runtime?.streams.add(session, frontend: self, client: channel) { [weak session] in (session?.backend?.name, session?.server) }
            session.start(acceptProxy: bind.acceptProxy)
        }
    }

    func streamEnded(_ stream: AnyObject) {
        runtime?.streams.remove(stream)
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

    func countRequest(denied: Bool = false) {
        lock.withLock {
            totalRequests += 1
            if denied { deniedRequests += 1 }
        }
    }

    func countBytes(in bytesIn: UInt64, out bytesOut: UInt64) {
        lock.withLock {
            self.bytesIn &+= bytesIn
            self.bytesOut &+= bytesOut
        }
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
            if all {
                totalConnections = 0
                totalRequests = 0
                deniedRequests = 0
                bytesIn = 0
                bytesOut = 0
            }
        }
    }
}
